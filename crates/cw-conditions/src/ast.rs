//! The syntax tree of a conditions expression.

use chrono::{DateTime, Utc};

/// A field path such as `status/name`: one or more segments of ASCII letters, digits and `_`.
///
/// ConnectWise matches field names case-insensitively; the path keeps the caller's spelling so
/// that rendering round-trips, and [`Field::eq_ignore_case`] compares the way the server does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field(pub(crate) Vec<String>);

impl Field {
    /// The path's segments, in order.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The path as written, segments joined with `/`.
    pub fn path(&self) -> String {
        self.0.join("/")
    }

    /// Whether two paths name the same field under ConnectWise's case-insensitive rule.
    pub fn eq_ignore_case(&self, other: &Field) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
    Like,
    NotLike,
    In,
    NotIn,
}

impl Op {
    /// Every operator, for exhaustive tests and generators.
    pub const ALL: [Op; 12] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Contains,
        Op::NotContains,
        Op::Like,
        Op::NotLike,
        Op::In,
        Op::NotIn,
    ];

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::NotContains => "not contains",
            Op::Like => "like",
            Op::NotLike => "not like",
            Op::In => "in",
            Op::NotIn => "not in",
        }
    }

    /// Whether the operator takes a parenthesised list rather than one value.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    /// A decimal number; always finite (the parser and builder never produce NaN or infinity).
    Dec(f64),
    Bool(bool),
    Null,
    /// A date-time, normalised to whole-second UTC (ConnectWise's own resolution).
    Date(DateTime<Utc>),
    /// The right-hand side of `in` / `not in`: scalar values only.
    List(Vec<Value>),
}

/// One `field op value` term.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub field: Field,
    pub op: Op,
    pub value: Value,
}

/// An expression: comparisons joined by `and` / `or` (`and` binds tighter).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Cmp(Comparison),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Joins two expressions with `and`.
    pub fn and(self, other: Expr) -> Expr {
        Expr::And(Box::new(self), Box::new(other))
    }

    /// Joins two expressions with `or`.
    pub fn or(self, other: Expr) -> Expr {
        Expr::Or(Box::new(self), Box::new(other))
    }

    /// Every comparison in the expression, left to right.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut out = Vec::new();
        self.walk(&mut |c| out.push(c));
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Comparison)) {
        match self {
            Expr::Cmp(c) => f(c),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk(f);
                b.walk(f);
            }
        }
    }

    /// Rewrites every field path (the simulator uses this to canonicalise names).
    pub fn map_fields(&mut self, f: &mut impl FnMut(&mut Field)) {
        match self {
            Expr::Cmp(c) => f(&mut c.field),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.map_fields(f);
                b.map_fields(f);
            }
        }
    }
}
