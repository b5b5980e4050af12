//! The ConnectWise PSA `conditions` language.
//!
//! ConnectWise filters every collection with a small SQL-like expression language passed in the
//! `conditions`, `childConditions` and `customFieldConditions` query parameters (see the
//! Developer Guide's "Conditions" table). This crate is the one place the project handles it:
//!
//! * [`parse`] turns text into an [`Expr`], reporting the byte position and what was expected on
//!   error. It accepts everything real tenants accept: either quote style with backslash escapes,
//!   keywords and booleans in any case, `not contains` / `not like` / `not in`, dates in brackets
//!   with or without offsets and fractions.
//! * [`Expr::render`] writes the canonical form: double-quoted strings with every `\` and `"`
//!   escaped, whole-second UTC dates, explicit parentheses only where the tree needs them.
//!   `parse(render(e)) == e` for every expression, so no value can change the structure.
//! * [`Field`] and the comparison methods on it are the typed builder the server uses to splice
//!   values into expressions without string formatting.
//! * [`eval`] evaluates an expression against a JSON record; the simulator uses it.

mod ast;
mod builder;
pub mod eval;
mod lexer;
mod parser;
mod render;

pub use ast::{Comparison, Expr, Field, Op, Value};
pub use builder::BuildError;
pub use eval::{matches, matches_with, EvalOptions};
pub use parser::{parse, ParseError};
