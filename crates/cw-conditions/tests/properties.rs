//! Properties: the parser never panics, rendering round-trips, and no value escapes its literal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use chrono::{DateTime, Utc};
use cw_conditions::{parse, Comparison, Expr, Field, Op, Value};
use proptest::prelude::*;

fn field() -> impl Strategy<Value = Field> {
    prop::collection::vec("[A-Za-z_][A-Za-z0-9_]{0,8}", 1..4)
        .prop_filter("not a keyword", |segs| {
            !["and", "or", "not"]
                .iter()
                .any(|k| segs[0].eq_ignore_ascii_case(k))
        })
        .prop_map(|segs| Field::new(&segs.join("/")).unwrap())
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::Str),
        any::<i64>().prop_map(Value::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::Dec),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        (0i64..4_102_444_800)
            .prop_map(|s| Value::Date(DateTime::<Utc>::from_timestamp(s, 0).unwrap())),
    ]
}

fn comparison() -> impl Strategy<Value = Expr> {
    (
        field(),
        prop::sample::select(Op::ALL.to_vec()),
        scalar(),
        prop::collection::vec(scalar(), 1..4),
    )
        .prop_map(|(field, op, v, list)| {
            let value = if op.takes_list() {
                Value::List(list)
            } else {
                v
            };
            Expr::Cmp(Comparison { field, op, value })
        })
}

fn expr() -> impl Strategy<Value = Expr> {
    comparison().prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner).prop_map(|(a, b)| a.or(b)),
        ]
    })
}

/// The fixed injection corpus: each must stay exactly one string literal.
const CORPUS: &[&str] = &[
    "\" OR id>0 OR \"",
    "\\\" or 1=1 or \\\"",
    "'",
    "' or ''='",
    "%",
    "&pageSize=1000",
    "\0",
    "a\nb\r\nc",
    "\u{201c}quoted\u{201d} \u{2018}x\u{2019}",
    "\\",
    "\\\\\"",
    ") or (id > 0",
    "[2024-01-01T00:00:00Z]",
    "\u{200b}\u{202e}zero width",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn parse_never_panics_on_grammar_soup(
        parts in prop::collection::vec(prop::sample::select(vec![
            "a", "b/c", "=", "!=", "<", ">=", "and", "OR", "not", "in", "like", "contains",
            "(", ")", ",", "'x'", "\"y\\\"\"", "[2024-01-01]", "[", "]", "1", "-2.5", "true",
            "null", "\\", "'", "\"",
        ]), 0..24)
    ) {
        let _ = parse(&parts.join(" "));
    }

    #[test]
    fn render_then_parse_round_trips(e in expr()) {
        let text = e.render();
        prop_assert_eq!(parse(&text), Ok(e), "text: {}", text);
    }

    #[test]
    fn any_string_stays_one_literal(s in any::<String>()) {
        let e = Field::new("summary").unwrap().contains(s.clone());
        prop_assert_eq!(parse(&e.render()), Ok(e));
    }
}

#[test]
fn injection_corpus_stays_one_literal_in_every_position() {
    let summary = Field::new("summary").unwrap();
    for s in CORPUS {
        for e in [
            summary.contains(*s),
            summary.eq(*s),
            summary.is_in([*s, "other"]).unwrap(),
            summary
                .eq(*s)
                .and(Field::new("closedFlag").unwrap().eq(false)),
        ] {
            let text = e.render();
            let back = parse(&text).unwrap_or_else(|err| panic!("{s:?} → {text}: {err}"));
            assert_eq!(back, e, "{s:?} changed structure: {text}");
            // Control characters become spaces; `contains` sends text with quotes as its
            // quote-free pieces, ANDed.
            let clean: String = s
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let pieces: Vec<&str> = clean
                .split('"')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let strings: Vec<&Value> = back
                .comparisons()
                .into_iter()
                .map(|c| &c.value)
                .filter(|v| {
                    matches!(v, Value::Str(x) if *x == clean || *x == *s || pieces.contains(&x.as_str()) || (pieces.is_empty() && x.is_empty()))
                        || matches!(v, Value::List(_))
                })
                .collect();
            assert!(
                !strings.is_empty(),
                "{s:?} not carried as a literal in {text}"
            );
        }
    }
}
