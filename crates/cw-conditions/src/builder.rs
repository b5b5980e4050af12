//! The typed builder: the only way the server splices values into an expression.
//!
//! Values are carried as [`Value`]s and escaped by the renderer, never formatted into text, so
//! no input can change the structure of the expression it lands in.

use chrono::{DateTime, SubsecRound, Utc};

use crate::ast::{Comparison, Expr, Field, Op, Value};
use crate::parser::field_from_path;

/// Why a builder call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("`{0}` is not a field path (letters, digits and `_`, segments joined by `/`)")]
    BadField(String),
    #[error("`{0}` takes a list of values")]
    NeedsList(&'static str),
    #[error("`{0}` takes a single value, not a list")]
    NeedsScalar(&'static str),
    #[error("a list for `in` needs at least one value, and only plain values")]
    BadList,
    #[error("numbers must be finite")]
    NotFinite,
}

impl Field {
    /// Validates a field path such as `status/name`.
    pub fn new(path: &str) -> Result<Field, BuildError> {
        field_from_path(path).ok_or_else(|| BuildError::BadField(path.to_string()))
    }

    /// A field path written in the program's source (`"owner/identifier"`), never one that
    /// came from input: it is split on `/` without the checks of [`Field::new`] (a test of the
    /// caller should prove its paths valid; debug builds check them here).
    pub fn known(path: &'static str) -> Field {
        debug_assert!(field_from_path(path).is_some(), "bad field path {path}");
        Field(path.split('/').map(str::to_string).collect())
    }

    /// `self op value`, checking that the value fits the operator.
    pub fn cmp(&self, op: Op, value: Value) -> Result<Expr, BuildError> {
        match (&value, op.takes_list()) {
            (Value::List(items), true)
                if items.is_empty() || items.iter().any(|v| matches!(v, Value::List(_))) =>
            {
                return Err(BuildError::BadList)
            }
            (Value::List(_), true) => {}
            (Value::List(_), false) => return Err(BuildError::NeedsScalar(op.as_str())),
            (_, true) => return Err(BuildError::NeedsList(op.as_str())),
            _ => {}
        }
        if !value_is_finite(&value) {
            return Err(BuildError::NotFinite);
        }
        Ok(Expr::Cmp(Comparison {
            field: self.clone(),
            op,
            value,
        }))
    }

    /// `self = value`.
    pub fn eq(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Eq, value.into())
    }

    /// `self != value`.
    pub fn ne(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Ne, value.into())
    }

    /// `self >= value`.
    pub fn ge(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Ge, value.into())
    }

    /// `self < value`.
    pub fn lt(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Lt, value.into())
    }

    /// `self > value`.
    pub fn gt(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Gt, value.into())
    }

    /// `self <= value`.
    pub fn le(&self, value: impl Into<Value>) -> Expr {
        self.scalar(Op::Le, value.into())
    }

    /// `self contains "text"`: a literal substring test, case-insensitive on ConnectWise.
    ///
    /// How ConnectWise escapes a `"` inside a literal is not documented, so text with quotes
    /// is not sent as one literal: it becomes one `contains` per quote-free piece, ANDed
    /// (`O"Brien` → `contains "O" and contains "Brien"`), which can only match more, never
    /// change the expression. Control characters become spaces.
    pub fn contains(&self, text: impl Into<String>) -> Expr {
        let text = without_controls(&text.into());
        let mut pieces = text
            .split('"')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| self.scalar(Op::Contains, Value::Str(p.to_string())));
        let first = pieces
            .next()
            .unwrap_or_else(|| self.scalar(Op::Contains, Value::Str(String::new())));
        pieces.fold(first, Expr::and)
    }

    /// `self in (values…)`.
    pub fn is_in<V: Into<Value>>(
        &self,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Expr, BuildError> {
        self.cmp(
            Op::In,
            Value::List(values.into_iter().map(Into::into).collect()),
        )
    }

    /// `self not in (values…)`.
    pub fn not_in<V: Into<Value>>(
        &self,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Expr, BuildError> {
        self.cmp(
            Op::NotIn,
            Value::List(values.into_iter().map(Into::into).collect()),
        )
    }

    fn scalar(&self, op: Op, value: Value) -> Expr {
        // The `Into<Value>` impls below only produce finite scalars, so this cannot fail.
        // No control character (NUL, a newline) belongs in a condition.
        let value = match value {
            Value::Str(s) if s.chars().any(char::is_control) => Value::Str(without_controls(&s)),
            v => v,
        };
        Expr::Cmp(Comparison {
            field: self.clone(),
            op,
            value,
        })
    }
}

fn without_controls(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn value_is_finite(v: &Value) -> bool {
    match v {
        Value::Dec(d) => d.is_finite(),
        Value::List(items) => items.iter().all(value_is_finite),
        _ => true,
    }
}

impl Value {
    /// A decimal value; refuses NaN and infinities, which have no literal form.
    pub fn dec(d: f64) -> Result<Value, BuildError> {
        if d.is_finite() {
            Ok(Value::Dec(d))
        } else {
            Err(BuildError::NotFinite)
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i.into())
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Int(i.into())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
/// Dates are truncated to whole seconds: ConnectWise rejects fractions in request bodies and
/// the canonical conditions form carries none.
impl From<DateTime<Utc>> for Value {
    fn from(d: DateTime<Utc>) -> Self {
        Value::Date(d.trunc_subsecs(0))
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::Field;

    #[test]
    fn text_with_quotes_becomes_anded_pieces_and_controls_become_spaces() {
        let f = Field::known("lastName");
        assert_eq!(
            f.contains("O\"Brien").render(),
            r#"lastName contains "O" and lastName contains "Brien""#
        );
        assert_eq!(
            f.contains("\" OR id>0 OR \"").render(),
            r#"lastName contains "OR id>0 OR""#
        );
        assert_eq!(f.contains("a\nb\0").render(), r#"lastName contains "a b""#);
        assert_eq!(
            f.eq("x\r\ny").render(),
            r#"lastName = "x  y""#,
            "no control character reaches ConnectWise"
        );
        // Inside an `or`, the pieces stay together.
        let either = f
            .contains("a\"b")
            .or(Field::known("firstName").contains("c"));
        assert_eq!(
            either.render(),
            r#"lastName contains "a" and lastName contains "b" or firstName contains "c""#
        );
    }
}
