//! Recursive-descent parser: `or` over `and` over parenthesised groups and comparisons.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

use crate::ast::{Comparison, Expr, Field, Op, Value};
use crate::lexer::{lex, Tok};

/// Deepest parenthesis nesting accepted; bounds recursion on hostile input.
const MAX_DEPTH: usize = 64;

/// A syntax error: where it happened (byte offset into the input) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at position {position}: expected {expected}, found {found}")]
pub struct ParseError {
    pub position: usize,
    pub expected: String,
    pub found: String,
}

impl ParseError {
    pub(crate) fn new(position: usize, expected: &str, found: &str) -> Self {
        ParseError {
            position,
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

/// Parses a conditions expression.
///
/// ```
/// let e = cw_conditions::parse("status/name = 'New' AND closedFlag = False").unwrap();
/// assert_eq!(e.render(), r#"status/name = "New" and closedFlag = false"#);
/// ```
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        end: src.len(),
    };
    let e = p.or_expr(0)?;
    if let Some((pos, t)) = p.toks.get(p.i) {
        return Err(ParseError::new(
            *pos,
            "`and`, `or` or the end",
            &t.describe(),
        ));
    }
    Ok(e)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    i: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(_, t)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map(|(p, _)| *p).unwrap_or(self.end)
    }

    fn found(&self) -> String {
        self.peek()
            .map(Tok::describe)
            .unwrap_or_else(|| "end of input".into())
    }

    fn err<T>(&self, expected: &str) -> Result<T, ParseError> {
        Err(ParseError::new(self.pos(), expected, &self.found()))
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut left = self.and_expr(depth)?;
        while self.peek_keyword("or") {
            self.i += 1;
            let right = self.and_expr(depth)?;
            left = left.or(right);
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut left = self.primary(depth)?;
        while self.peek_keyword("and") {
            self.i += 1;
            let right = self.primary(depth)?;
            left = left.and(right);
        }
        Ok(left)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Tok::LParen) {
            if depth >= MAX_DEPTH {
                return self.err("fewer nested parentheses");
            }
            self.i += 1;
            let e = self.or_expr(depth + 1)?;
            if self.peek() != Some(&Tok::RParen) {
                return self.err("`)`");
            }
            self.i += 1;
            return Ok(e);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let field = match self.peek() {
            Some(Tok::Word(w)) if !is_reserved(w) => match field_from_path(w) {
                Some(f) => f,
                None => return self.err("a field path like `board/name`"),
            },
            _ => return self.err("a field name or `(`"),
        };
        self.i += 1;
        let op = self.op()?;
        let value = if op.takes_list() {
            self.list()?
        } else {
            self.scalar()?
        };
        Ok(Expr::Cmp(Comparison { field, op, value }))
    }

    fn op(&mut self) -> Result<Op, ParseError> {
        let op = match self.peek() {
            Some(Tok::Sym(s)) => match *s {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                _ => return self.err("an operator"),
            },
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("contains") => Op::Contains,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("like") => Op::Like,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => Op::In,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") => {
                self.i += 1;
                let op = match self.peek() {
                    Some(Tok::Word(w)) if w.eq_ignore_ascii_case("contains") => Op::NotContains,
                    Some(Tok::Word(w)) if w.eq_ignore_ascii_case("like") => Op::NotLike,
                    Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => Op::NotIn,
                    _ => return self.err("`contains`, `like` or `in` after `not`"),
                };
                self.i += 1;
                return Ok(op);
            }
            _ => return self.err("an operator (=, !=, <, <=, >, >=, contains, like, in, not …)"),
        };
        self.i += 1;
        Ok(op)
    }

    fn list(&mut self) -> Result<Value, ParseError> {
        if self.peek() != Some(&Tok::LParen) {
            return self.err("`(` starting the list");
        }
        self.i += 1;
        let mut items = vec![self.scalar()?];
        loop {
            match self.peek() {
                Some(Tok::Comma) => {
                    self.i += 1;
                    items.push(self.scalar()?);
                }
                Some(Tok::RParen) => {
                    self.i += 1;
                    return Ok(Value::List(items));
                }
                _ => return self.err("`,` or `)` in the list"),
            }
        }
    }

    fn scalar(&mut self) -> Result<Value, ParseError> {
        let pos = self.pos();
        let v = match self.peek() {
            Some(Tok::Str(s)) => Value::Str(s.clone()),
            Some(Tok::Num(n)) => match parse_number(n) {
                Some(v) => v,
                None => return self.err("a number"),
            },
            Some(Tok::Date(d)) => match parse_date(d) {
                Some(dt) => Value::Date(dt),
                None => {
                    return Err(ParseError::new(
                        pos,
                        "a date like [2024-05-01T13:00:00Z]",
                        &format!("`[{d}]`"),
                    ))
                }
            },
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
            _ => return self.err("a value (\"text\", number, true/false, null or [date])"),
        };
        self.i += 1;
        Ok(v)
    }
}

fn is_reserved(w: &str) -> bool {
    ["and", "or", "not"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

/// Builds a field from `a/b/c`, rejecting empty segments or ones that start with a digit.
pub(crate) fn field_from_path(path: &str) -> Option<Field> {
    let segs: Vec<String> = path.split('/').map(str::to_string).collect();
    let ok = segs.iter().all(|s| {
        let mut cs = s.chars();
        matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    ok.then_some(Field(segs))
}

fn parse_number(n: &str) -> Option<Value> {
    let digits = n.strip_prefix('-').unwrap_or(n);
    let dots = digits.matches('.').count();
    let valid = !digits.is_empty()
        && dots <= 1
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    if dots == 0 {
        n.parse::<i64>().ok().map(Value::Int)
    } else {
        n.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Dec)
    }
}

/// Parses a bracketed date. Real tenants accept whole-second `Z` (the documented form) and, in
/// conditions, also offsets and fractions (a widely used client sends Python's isoformat); a bare
/// date means midnight UTC. The result is normalised to whole-second UTC.
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).trunc_subsecs(0));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(n.and_utc().trunc_subsecs(0));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}
