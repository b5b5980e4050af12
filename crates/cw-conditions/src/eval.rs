//! Evaluation of an expression against one JSON record, as the simulator's upstream SQL would.
//!
//! Semantics, chosen to match ConnectWise's SQL Server backing where the documentation is silent:
//!
//! * Field names match case-insensitively at every level (`Board/Name` finds `board.name`).
//! * String comparison is case-insensitive (SQL Server's default collation): `status/name =
//!   "new"` matches `New`; `<`/`>` on strings compare the lower-cased text.
//! * `contains` is a literal substring test. `like` is a pattern: `%` and `*` match any run of
//!   characters, `_` one character, `[abc]` / `[a-z]` / `[^a]` a set, so `[[]` is a literal `[`.
//! * `null`: `x = null` holds when the field is missing or null, `x != null` when it is present.
//!   Any other comparison against a missing or null field is false (SQL's unknown), including
//!   the negated ones.
//! * Numbers compare numerically, also when the record holds the number as a string. Dates
//!   (`[…]`) compare as instants; a record value that is not a date never matches one.
//! * A path that crosses an array matches when any element matches (the simulator uses this for
//!   `childConditions` and `customFieldConditions`).

use chrono::{DateTime, Utc};
use serde_json::Value as J;

use crate::ast::{Comparison, Expr, Op, Value};
use crate::parser::parse_date;

/// Knobs for evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// The expression's field names are already spelled as the records spell them (the
    /// simulator rewrites them to the schema's spelling), so a field not found by its exact
    /// name is absent, without a case-insensitive search through the record's keys.
    pub exact_field_names: bool,
}

/// Whether `record` satisfies `expr`.
pub fn matches(expr: &Expr, record: &J) -> bool {
    matches_with(expr, record, EvalOptions::default())
}

/// [`matches`], with options.
pub fn matches_with(expr: &Expr, record: &J, opts: EvalOptions) -> bool {
    match expr {
        Expr::Cmp(c) => cmp_matches(c, record, opts),
        Expr::And(a, b) => matches_with(a, record, opts) && matches_with(b, record, opts),
        Expr::Or(a, b) => matches_with(a, record, opts) || matches_with(b, record, opts),
    }
}

fn cmp_matches(c: &Comparison, record: &J, opts: EvalOptions) -> bool {
    let (mut present, mut hit) = (false, false);
    let null = c.value == Value::Null;
    visit(record, c.field.segments(), opts, &mut |v| {
        if !v.is_null() {
            present = true;
            hit = hit || (!null && value_matches(v, c.op, &c.value));
        }
    });
    if null {
        return match c.op {
            Op::Eq => !present,
            Op::Ne => present,
            _ => false,
        };
    }
    hit
}

/// Calls `found` with each value at `path`, descending into every element of any array on
/// the way. Allocates nothing: it runs once per comparison per record of a scan.
fn visit<'a>(v: &'a J, path: &[String], opts: EvalOptions, found: &mut impl FnMut(&'a J)) {
    match v {
        J::Array(items) => items.iter().for_each(|i| visit(i, path, opts, found)),
        _ if path.is_empty() => found(v),
        J::Object(map) => {
            let Some((key, rest)) = path.split_first() else {
                return;
            };
            let child = map.get(key.as_str()).or_else(|| {
                if opts.exact_field_names {
                    return None;
                }
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            });
            if let Some(child) = child {
                visit(child, rest, opts, found);
            }
        }
        _ => {}
    }
}

fn value_matches(field: &J, op: Op, lit: &Value) -> bool {
    match op {
        Op::In => list(lit).iter().any(|l| scalar_cmp(field, Op::Eq, l)),
        Op::NotIn => !list(lit).iter().any(|l| scalar_cmp(field, Op::Eq, l)),
        Op::Contains | Op::NotContains | Op::Like | Op::NotLike => {
            let Some(text) = as_text(field) else {
                return false;
            };
            let pat = literal_text(lit).to_lowercase();
            let hit = match op {
                Op::Contains | Op::NotContains => text.to_lowercase().contains(&pat),
                _ => like(&text.to_lowercase(), &pat),
            };
            hit == matches!(op, Op::Contains | Op::Like)
        }
        _ => scalar_cmp(field, op, lit),
    }
}

fn list(lit: &Value) -> &[Value] {
    match lit {
        Value::List(items) => items,
        other => std::slice::from_ref(other),
    }
}

fn scalar_cmp(field: &J, op: Op, lit: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match lit {
        Value::Null => return false,
        Value::Date(d) => as_date(field).map(|f| f.cmp(d)),
        Value::Int(_) | Value::Dec(_) => {
            let l = match lit {
                Value::Int(i) => *i as f64,
                Value::Dec(d) => *d,
                _ => unreachable!(),
            };
            as_number(field).and_then(|f| f.partial_cmp(&l))
        }
        Value::Bool(b) => match field {
            J::Bool(f) => Some(f.cmp(b)),
            J::String(s) if s.eq_ignore_ascii_case("true") => Some(true.cmp(b)),
            J::String(s) if s.eq_ignore_ascii_case("false") => Some(false.cmp(b)),
            _ => None,
        },
        Value::Str(s) => match field {
            J::Number(n) => match (n.as_f64(), s.trim().parse::<f64>()) {
                (Some(f), Ok(l)) => f.partial_cmp(&l),
                _ => Some(n.to_string().to_lowercase().cmp(&s.to_lowercase())),
            },
            J::String(t) => Some(cmp_folded(t, s)),
            other => as_text(other).map(|t| cmp_folded(&t, s)),
        },
        Value::List(_) => return false,
    };
    let Some(ord) = ord else { return false };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        _ => false,
    }
}

/// Orders two strings as their lower-cased forms would, without building them.
fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.bytes(), b.bytes());
        return a
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

fn as_text(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn literal_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => {
            let mut s = String::new();
            crate::render::render_value(other, &mut s);
            s
        }
    }
}

fn as_number(v: &J) -> Option<f64> {
    match v {
        J::Number(n) => n.as_f64(),
        J::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_date(v: &J) -> Option<DateTime<Utc>> {
    match v {
        J::String(s) => parse_date(s),
        _ => None,
    }
}

/// SQL `LIKE` over lower-cased text, with `*` also accepted as a wildcard (per the Developer
/// Guide). Iterative with backtracking on the last wildcard, so it is linear in practice.
fn like(text: &str, pat: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p = tokens(pat);
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = t.get(ti) {
        match p.get(pi) {
            Some(Pat::Any) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(tok) if tok.matches(c) => {
                ti += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.iter().skip(pi).all(|x| matches!(x, Pat::Any))
}

enum Pat {
    Any,
    One,
    Char(char),
    Set {
        negate: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Pat {
    fn matches(&self, c: char) -> bool {
        match self {
            Pat::Any => true,
            Pat::One => true,
            Pat::Char(x) => *x == c,
            Pat::Set { negate, ranges } => {
                ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negate
            }
        }
    }
}

fn tokens(pat: &str) -> Vec<Pat> {
    let cs: Vec<char> = pat.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = cs.get(i) {
        match c {
            '%' | '*' => out.push(Pat::Any),
            '_' => out.push(Pat::One),
            '[' => match bracket_set(&cs, i) {
                Some((set, close)) => {
                    out.push(set);
                    i = close;
                }
                None => out.push(Pat::Char('[')),
            },
            c => out.push(Pat::Char(c)),
        }
        i += 1;
    }
    out
}

/// The `[...]` set opening at `open` (`[abc]`, `[a-c]`, `[^a-c]`; a `]` right after the `[`
/// is a member), and where it closes; `None` when it never closes.
fn bracket_set(cs: &[char], open: usize) -> Option<(Pat, usize)> {
    let close = cs
        .iter()
        .enumerate()
        .skip(open + 2)
        .find(|(_, c)| **c == ']')
        .map(|(j, _)| j)?;
    let mut body = cs.get(open + 1..close)?;
    let negate = body.first() == Some(&'^') && body.len() > 1;
    if negate {
        body = body.get(1..)?;
    }
    let mut ranges = Vec::new();
    let mut k = 0;
    while let Some(&lo) = body.get(k) {
        match (body.get(k + 1), body.get(k + 2)) {
            (Some('-'), Some(&hi)) => {
                ranges.push((lo, hi));
                k += 3;
            }
            _ => {
                ranges.push((lo, lo));
                k += 1;
            }
        }
    }
    Some((Pat::Set { negate, ranges }, close))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use serde_json::json;

    fn m(cond: &str, rec: &J) -> bool {
        matches(&parse(cond).unwrap(), rec)
    }

    #[test]
    fn like_patterns() {
        assert!(like("printer offline", "%offline"));
        assert!(like("printer offline", "print*"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("[x]", "[[]x]"));
        assert!(like("b", "[a-c]"));
        assert!(!like("b", "[^a-c]"));
        assert!(like("", "%"));
    }

    #[test]
    fn nested_case_insensitive_and_null() {
        let r = json!({"id": 7, "status": {"name": "New"}, "owner": null, "closedFlag": false});
        assert!(m("Status/Name = \"new\"", &r));
        assert!(m("owner/identifier = null", &r));
        assert!(m("owner = null and id != null", &r));
        assert!(!m("owner/identifier != \"x\"", &r));
        assert!(m("closedFlag = False", &r));
        assert!(m("id in (1, 7)", &r));
        assert!(m("id not in (1, 2)", &r));
        assert!(m("id >= 7 and id < 7.5", &r));
    }

    #[test]
    fn exact_field_names_skip_the_case_insensitive_search() {
        let r = json!({"status": {"name": "New"}});
        let e = parse("Status/name = \"new\"").unwrap();
        assert!(matches(&e, &r));
        let exact = EvalOptions {
            exact_field_names: true,
        };
        assert!(!matches_with(&e, &r, exact));
        assert!(matches_with(
            &parse("status/name = \"NEW\"").unwrap(),
            &r,
            exact
        ));
    }

    #[test]
    fn strings_order_by_their_lower_case_forms() {
        let r = json!({"name": "Émile", "city": "Zürich"});
        assert!(m("name = \"éMILE\"", &r));
        assert!(m("city > \"ZURICH\" and city < \"ZÜRICHZ\"", &r));
        assert!(m("name != \"Emile\"", &r));
    }

    #[test]
    fn dates_compare_as_instants() {
        let r = json!({"_info": {"lastUpdated": "2024-03-01T10:00:00Z"}});
        assert!(m("_info/lastUpdated > [2024-03-01T09:59:59Z]", &r));
        assert!(m("_info/lastUpdated = [2024-03-01T11:00:00+01:00]", &r));
        assert!(!m("_info/lastUpdated > [2024-03-02]", &r));
    }

    #[test]
    fn arrays_match_any_element() {
        let r = json!({"communicationItems": [
            {"communicationType": "Phone", "value": "555"},
            {"communicationType": "Email", "value": "a@b.com"}]});
        assert!(m("communicationItems/value like \"%@b.com\"", &r));
        assert!(!m("communicationItems/value = \"x\"", &r));
    }
}
