//! Reads are asked once: the same keys' identical read within the read-cache window is
//! answered without going upstream, identical reads at the same moment share one request, and
//! a write through the server makes the next read fresh. Counted in the simulator's log.

mod common;

use common::*;
use connectwise_mcp::auth::Role;
use serde_json::json;

fn gets(sim: &cw_sim::RunningSim) -> usize {
    sim.sim
        .hooks()
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count()
}

#[tokio::test]
async fn a_repeated_read_is_asked_once_and_a_write_makes_it_fresh() {
    let sim = tenant(74).await;
    let c = client(pipeline(&sim, "jchen", open()), caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let args = json!({"ticket_id": tid});
    call(&c, "cw_get_ticket", args.clone()).await.unwrap();
    sim.sim.hooks().clear_requests();

    let again = call(&c, "cw_get_ticket", args.clone()).await.unwrap();
    assert_ne!(again.is_error, Some(true));
    assert_eq!(gets(&sim), 0, "answered from the read of a moment ago");

    // Three identical reads at once: one request each for what the tool needs.
    sim.sim.hooks().clear_requests();
    let q = json!({"text": "a", "page_size": 7});
    let (a, b, d) = tokio::join!(
        call(&c, "cw_search_companies", q.clone()),
        call(&c, "cw_search_companies", q.clone()),
        call(&c, "cw_search_companies", q.clone()),
    );
    assert_eq!(a.unwrap().content, b.unwrap().content);
    assert!(d.unwrap().is_error != Some(true));
    let once = gets(&sim);
    sim.sim.hooks().clear_requests();
    call(
        &c,
        "cw_search_companies",
        json!({"text": "b", "page_size": 7}),
    )
    .await
    .unwrap();
    assert_eq!(once, gets(&sim), "three at once cost what one costs");

    // A note written through the server shows in the next read at once.
    call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "Swapped the toner cartridge."}),
    )
    .await
    .unwrap();
    let fresh = call(&c, "cw_get_ticket", args).await.unwrap();
    let s = fresh.structured_content.unwrap();
    assert!(s["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["text"] == "Swapped the toner cartridge."));
}
