//! Every method and path the client can call exists in ConnectWise's 2025.1 contract, and every
//! field a read view asks for exists in its schema (ConnectWise silently drops unknown `fields`
//! names, so a typo would lose data without an error).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use cw_client::endpoints::{ALL, MY_ACCOUNT};

#[test]
fn every_endpoint_is_in_the_contract() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cw-schema/data/contract/endpoints-2025.1.tsv");
    let tsv = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let known: std::collections::HashSet<(&str, &str)> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?))
        })
        .collect();
    assert!(known.len() > 3000);
    let missing: Vec<String> = ALL
        .iter()
        .filter(|e| !known.contains(&(e.method, e.path)))
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert!(missing.is_empty(), "not in the contract: {missing:?}");
    // The one off-contract call is the id-less myAccount, and the simulator documents the same.
    assert!(!known.contains(&(MY_ACCOUNT.method, MY_ACCOUNT.path)));
    assert!(cw_sim::routes::OFF_CONTRACT
        .iter()
        .any(|(m, p, _)| *m == MY_ACCOUNT.method && *p == MY_ACCOUNT.path));
}

#[test]
fn every_field_a_view_asks_for_is_in_the_contract_schema() {
    let mut bad = Vec::new();
    for (schema, fields) in cw_client::models::VIEWS {
        for path in fields.split(',') {
            let segs: Vec<String> = path.split('/').map(str::to_string).collect();
            match cw_schema::resolve_path(schema, &segs, true) {
                // Case matters in `fields=`: the canonical spelling must be the one asked for.
                Ok(canon) if canon.join("/") == path => {}
                other => bad.push(format!("{schema}.{path}: {other:?}")),
            }
        }
    }
    assert!(bad.is_empty(), "fields not in the contract: {bad:#?}");
}
