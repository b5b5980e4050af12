//! The grammar as real tenants accept it, and the errors a caller sees otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use cw_conditions::{parse, Comparison, Expr, Field, Op, Value};

fn cmp(e: &Expr) -> &Comparison {
    match e {
        Expr::Cmp(c) => c,
        other => panic!("expected a comparison, got {other:?}"),
    }
}

#[test]
fn every_operator_in_any_case() {
    for (src, op) in [
        ("a = 1", Op::Eq),
        ("a != 1", Op::Ne),
        ("a < 1", Op::Lt),
        ("a <= 1", Op::Le),
        ("a > 1", Op::Gt),
        ("a >= 1", Op::Ge),
        ("a CONTAINS 'x'", Op::Contains),
        ("a Not Contains 'x'", Op::NotContains),
        ("a like 'x%'", Op::Like),
        ("a NOT LIKE 'x%'", Op::NotLike),
        ("a in (1, 2)", Op::In),
        ("a not IN (1)", Op::NotIn),
    ] {
        assert_eq!(cmp(&parse(src).unwrap()).op, op, "{src}");
    }
}

#[test]
fn literals() {
    let v = |s: &str| cmp(&parse(s).unwrap()).value.clone();
    assert_eq!(
        v(r#"a = "x \"q\" \\ y""#),
        Value::Str(r#"x "q" \ y"#.into())
    );
    assert_eq!(v(r"a = 'it\'s'"), Value::Str("it's".into()));
    assert_eq!(v("a = -12"), Value::Int(-12));
    assert_eq!(v("a = 1.5"), Value::Dec(1.5));
    assert_eq!(v("a = TRUE"), Value::Bool(true));
    assert_eq!(v("a = False"), Value::Bool(false));
    assert_eq!(v("a = NULL"), Value::Null);
    let d = |s: &str| match v(s) {
        Value::Date(d) => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(d("a > [2016-08-20T18:04:26Z]"), "2016-08-20T18:04:26Z");
    assert_eq!(
        d("a > [2016-08-20T18:04:26.123456+02:00]"),
        "2016-08-20T16:04:26Z"
    );
    assert_eq!(d("a > [2024-01-01]"), "2024-01-01T00:00:00Z");
    assert_eq!(
        v(r#"a in ("John", 'Ben')"#),
        Value::List(vec![Value::Str("John".into()), Value::Str("Ben".into())])
    );
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_group() {
    let e = parse("a = 1 or b = 2 and c = 3").unwrap();
    assert!(matches!(&e, Expr::Or(_, r) if matches!(**r, Expr::And(..))));
    let e = parse("(a = 1 OR b = 2) And c = 3").unwrap();
    assert!(matches!(&e, Expr::And(l, _) if matches!(**l, Expr::Or(..))));
    assert_eq!(e.render(), "(a = 1 or b = 2) and c = 3");
}

#[test]
fn field_paths_keep_spelling_and_compare_case_insensitively() {
    let c = cmp(&parse("Board/Name = 'x'").unwrap()).field.clone();
    assert_eq!(c.path(), "Board/Name");
    assert!(c.eq_ignore_case(&Field::new("board/name").unwrap()));
}

#[test]
fn errors_say_where_and_what() {
    let cases = [
        ("summary = 'open", 10, "closing quote"),
        ("summary =", 9, "a value"),
        ("summary 'x'", 8, "an operator"),
        ("(a = 1", 6, "`)`"),
        ("a = 1 b = 2", 6, "`and`, `or`"),
        ("a not = 1", 6, "after `not`"),
        ("a in 1", 5, "`(` starting"),
        ("a in ()", 6, "a value"),
        ("a = [yesterday]", 4, "a date"),
        ("a//b = 1", 0, "field path"),
        ("", 0, "a field name"),
        ("a = 1.2.3", 4, "a number"),
        ("a = 1 and", 9, "a field name"),
        ("a ~ 1", 2, "a field, value"),
    ];
    for (src, pos, expected) in cases {
        let e = parse(src).expect_err(src);
        assert_eq!(e.position, pos, "{src}: {e}");
        assert!(e.expected.contains(expected), "{src}: {e}");
        assert!(e
            .to_string()
            .starts_with(&format!("at position {pos}: expected")));
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let src = format!("{}a = 1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&src).unwrap_err().expected.contains("fewer nested"));
}

#[test]
fn builder_produces_canonical_text() {
    let status = Field::new("status/name").unwrap();
    let e = status
        .eq(">Closed")
        .or(Field::new("closedFlag").unwrap().eq(true))
        .and(Field::new("id").unwrap().is_in([1i64, 2]).unwrap());
    assert_eq!(
        e.render(),
        r#"(status/name = ">Closed" or closedFlag = true) and id in (1, 2)"#
    );
    assert!(Field::new("a b").is_err());
    assert!(Field::new("1a").is_err());
    assert!(Field::new("id")
        .unwrap()
        .cmp(Op::In, Value::Int(1))
        .is_err());
    assert!(Field::new("id")
        .unwrap()
        .cmp(Op::Eq, Value::List(vec![]))
        .is_err());
    assert!(Field::new("id").unwrap().is_in(Vec::<i64>::new()).is_err());
    assert!(Value::dec(f64::NAN).is_err());
}
