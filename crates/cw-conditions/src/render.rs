//! Canonical rendering. Every string is double-quoted with `\` and `"` escaped, so a value can
//! never close its literal early; the tree's shape is carried by parentheses placed exactly
//! where the parser's precedence (`and` over `or`, left-associative) would otherwise differ.

use std::fmt::Write;

use crate::ast::{Comparison, Expr, Value};

impl Expr {
    /// The canonical text of the expression. `parse(&e.render()) == Ok(e)` for every `e`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        render_expr(self, &mut out);
        out
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

fn render_expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Cmp(c) => render_cmp(c, out),
        Expr::And(a, b) => {
            child(a, matches!(**a, Expr::Or(..)), out);
            out.push_str(" and ");
            child(b, !matches!(**b, Expr::Cmp(_)), out);
        }
        Expr::Or(a, b) => {
            render_expr(a, out);
            out.push_str(" or ");
            child(b, matches!(**b, Expr::Or(..)), out);
        }
    }
}

fn child(e: &Expr, paren: bool, out: &mut String) {
    if paren {
        out.push('(');
        render_expr(e, out);
        out.push(')');
    } else {
        render_expr(e, out);
    }
}

fn render_cmp(c: &Comparison, out: &mut String) {
    out.push_str(&c.field.path());
    out.push(' ');
    out.push_str(c.op.as_str());
    out.push(' ');
    render_value(&c.value, out);
}

/// Renders one literal value in canonical form.
pub(crate) fn render_value(v: &Value, out: &mut String) {
    match v {
        Value::Str(s) => {
            out.push('"');
            for ch in s.chars() {
                if ch == '"' || ch == '\\' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Dec(d) => {
            let s = format!("{d}");
            out.push_str(&s);
            if !s.contains('.') {
                out.push_str(".0");
            }
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Date(d) => {
            let _ = write!(out, "[{}]", d.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        Value::List(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_value(item, out);
            }
            out.push(')');
        }
    }
}
