"""Two replicas behind nginx, sharing Redis, against one simulated ConnectWise: a write re-sent
through the other replica is answered from the first; identical writes in flight on both at
once make one record; the rate limit holds for both together; a killed replica is routed
around; "since I last asked" holds whichever replica answers; with Redis stopped reads go on
and writes are refused, and they come back with it.
Redis never holds note text, and every key expires."""
import concurrent.futures
import threading
import time

import pytest

from cluster import Cluster, call, get, text, wait_for


@pytest.fixture
def cluster():
    c = Cluster()
    yield c
    c.close()


def _ticket(c) -> int:
    return c.sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen"', "pageSize": 1})[0]["id"]


def test_a_resend_through_the_other_replica_is_answered_not_written_again(cluster):
    c = cluster
    tid = _ticket(c)
    a, b = c.replicas
    c.sim.clear()
    args = {"ticket_id": tid, "text": "Swapped the failed PSU; server back up."}
    s1, first = call(a.base, "cw_add_ticket_note", args)
    s2, again = call(b.base, "cw_add_ticket_note", args)
    assert s1 == s2 == 200 and not first.get("isError") and not again.get("isError"), (first, again)
    assert first["structuredContent"]["note"]["id"] == again["structuredContent"]["note"]["id"]
    assert "Already done" in text(again)
    assert [(w["method"], w["path"]) for w in c.writes()] == [("POST", f"/service/tickets/{tid}/notes")]

    # Redis holds hashes and a sealed answer, never the note, and every key expires.
    keys = c.redis.keys()
    assert keys and all(k.startswith("cwmcp:") for k in keys)
    for k in keys:
        assert "PSU" not in k and "PSU" not in c.redis.dump(k)
        assert c.redis.ttl(k) > 0, f"{k} expires"
        # A write's answer and its journal entry are kept for the replay window.
        if k.startswith(("cwmcp:replay:", "cwmcp:journal:")) and k != "cwmcp:journal:epoch":
            assert c.redis.ttl(k) <= 120_000, k


def test_five_identical_writes_at_once_across_both_replicas_make_one_record(cluster):
    c = cluster
    tid = _ticket(c)
    # The first write is still running when the others arrive.
    c.sim.fault(method="POST", path="/time/entries", kind="latency", ms=500, times=1)
    c.sim.clear()
    args = {"ticket_id": tid, "duration_minutes": 20, "notes": "Remote session: cleared the print queue"}
    bases = [c.replicas[i % 2].base for i in range(4)] + [c.nginx.base]
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda base: call(base, "cw_create_time_entry", args), bases))
    assert all(s == 200 and not r.get("isError") for s, r in answers), answers
    ids = {r["structuredContent"]["entry"]["id"] for _, r in answers}
    assert len(ids) == 1
    assert [(w["method"], w["path"]) for w in c.writes()] == [("POST", "/time/entries")]


def test_the_rate_limit_holds_for_both_replicas_together():
    c = Cluster(rate="6/min")
    try:
        a, b = c.replicas
        statuses = [call((a if i % 2 else b).base, "cw_list_priorities", {}, id=i)[0] for i in range(8)]
        # Six in all went through, alternating replicas; the rest were refused by whichever
        # replica they reached, because the bucket is shared.
        assert statuses[:6] == [200] * 6 and statuses[6:] == [429, 429], statuses
    finally:
        c.close()


def test_the_per_key_cap_on_requests_in_flight_holds_for_both_replicas():
    c = Cluster(CW_MAX_IN_FLIGHT="2")
    try:
        c.sim.fault(method="GET", path="/company/companies", kind="latency", ms=300, times=8)
        c.sim.clear()
        words = ["Harbor", "Lakeside", "Summit", "Silver", "Bluestone", "Eastbrook", "Ironbridge", "Willow"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: call(c.replicas[i % 2].base, "cw_search_companies", {"text": words[i]}, id=i), range(8)))
        assert all(s == 200 and not r.get("isError") for s, r in answers), answers
        # Two replicas with a cap of two each would reach four; the shared cap holds at two.
        assert 1 <= c.peak_in_flight() <= 2, c.peak_in_flight()
    finally:
        c.close()


def test_a_killed_replica_is_routed_around_and_nothing_is_lost_or_doubled(cluster):
    c = cluster
    tid = _ticket(c)
    c.sim.clear()
    results = []
    for i in range(12):
        if i == 4:
            c.replicas[0].kill()
        results.append(call(c.nginx.base, "cw_add_ticket_note", {"ticket_id": tid, "text": f"Load step {i}"}, id=i))
    assert all(s == 200 and not r.get("isError") for s, r in results), results
    posted = [w for w in c.writes() if w["method"] == "POST"]
    assert len(posted) == 12 and sorted(w["body"]["text"] for w in posted) == sorted(f"Load step {i}" for i in range(12))


def test_with_redis_stopped_reads_go_on_writes_are_refused_then_recover(cluster):
    c = cluster
    tid = _ticket(c)
    c.redis.stop()
    for r in c.replicas:
        wait_for(lambda: get(f"{r.base}/health")[1].get("redis") == "down", "the replica noticing Redis is down")
    health = get(f"{c.replicas[0].base}/health")[1]
    assert health["status"] == "ok" and health["writes"].startswith("paused")
    ready = get(f"{c.replicas[0].base}/ready")
    assert ready[0] == 503 and ready[1]["redis"] == "unreachable" and ready[1]["connectwise"] == "reachable"
    c.sim.clear()
    s, read = call(c.nginx.base, "cw_get_ticket", {"ticket_id": tid})
    assert s == 200 and not read.get("isError"), read
    s, refused = call(c.nginx.base, "cw_add_ticket_note", {"ticket_id": tid, "text": "While Redis is down"})
    assert refused.get("isError") and "Redis" in text(refused) and "try the write again" in text(refused)
    assert c.writes() == []

    c.redis.start()
    for r in c.replicas:
        wait_for(lambda: get(f"{r.base}/health")[1].get("redis") == "up", "the replica reconnecting to Redis")
    assert get(f"{c.replicas[1].base}/ready")[0] == 200
    s, ok = call(c.nginx.base, "cw_add_ticket_note", {"ticket_id": tid, "text": "Redis is back"})
    assert s == 200 and not ok.get("isError"), ok
    assert len(c.writes()) == 1


def test_per_replica_replay_when_chosen_keeps_writing_without_redis():
    c = Cluster(when_down="per-replica")
    try:
        tid = _ticket(c)
        c.redis.stop()
        a = c.replicas[0]
        wait_for(lambda: get(f"{a.base}/health")[1].get("redis") == "down", "the replica noticing Redis is down")
        assert get(f"{a.base}/health")[1]["writes"].startswith("per-replica")
        c.sim.clear()
        args = {"ticket_id": tid, "text": "Written while Redis was down"}
        first = call(a.base, "cw_add_ticket_note", args)[1]
        again = call(a.base, "cw_add_ticket_note", args)[1]
        assert not first.get("isError") and "Already done" in text(again)
        assert len(c.writes()) == 1
    finally:
        c.close()


def test_ready_and_health_answer_probes_by_any_host(cluster):
    c = cluster
    status, body = get(f"{c.replicas[0].base}/ready")
    assert status == 200 and body == {"connectwise": "reachable", "redis": "reachable", "ready": True}
    # Through the balancer too (its Host header is the upstream's name).
    assert get(f"{c.nginx.base}/ready")[0] == 200


def test_since_i_last_asked_holds_whichever_replica_answers(cluster):
    c = cluster
    a, b = c.replicas
    t = c.sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen" and board/name = "Help Desk"', "pageSize": 1})[0]
    other = next(s for s in c.sim.api(f"/service/boards/{t['board']['id']}/statuses") if not s["closedStatus"] and s["id"] != t["status"]["id"])
    s1, first = call(a.base, "cw_changes_since", {})
    c.sim.write("PATCH", f"/service/tickets/{t['id']}", [{"op": "replace", "path": "status", "value": {"id": other["id"]}}], member="psharma")
    s2, second = call(b.base, "cw_changes_since", {})
    assert s1 == s2 == 200 and not first.get("isError") and not second.get("isError"), (first, second)
    assert "the last 24 hours" in text(first)
    assert "when I last asked" in text(second), text(second)
    assert f"status {t['status']['name']} → {other['name']}" in text(second)
    # Redis keeps the queue sealed: no status name, no member identifier, and it expires.
    seen = [k for k in c.redis.keys() if k.startswith("cwmcp:seen:")]
    assert len(seen) == 1
    value = c.redis.dump(seen[0])
    assert other["name"] not in value and "jchen" not in value
    assert 0 < c.redis.ttl(seen[0]) <= 7 * 86_400_000


def test_a_replica_killed_after_connectwise_saved_a_note_does_not_let_the_resend_write_it_again(cluster):
    c = cluster
    tid = _ticket(c)
    a, b = c.replicas
    c.sim.clear()
    args = {"ticket_id": tid, "text": "Reseated the RAID controller."}
    # ConnectWise saves it 2 s after it is sent; the replica that sent it dies before that.
    c.sim.fault(method="POST", path="/service/tickets/*/notes", kind="late_commit", ms=2000, times=1)
    threading.Thread(target=lambda: _quietly(lambda: call(a.base, "cw_add_ticket_note", args)), daemon=True).start()
    time.sleep(0.7)
    a.kill()
    time.sleep(2.0)
    # The client re-sends through the survivor: it finds the dead replica's attempt in the
    # shared journal and the note in ConnectWise, and writes nothing.
    s, again = call(b.base, "cw_add_ticket_note", args)
    assert s == 200 and not again.get("isError"), again
    assert "Already done" in text(again) and "found in ConnectWise" in text(again), text(again)
    assert [(w["method"], w["path"]) for w in c.writes()] == [("POST", f"/service/tickets/{tid}/notes")]
    # A little later still, the same: never a second note.
    s, later = call(b.base, "cw_add_ticket_note", args)
    assert "Already done" in text(later), text(later)
    assert len(c.writes()) == 1


def test_redis_restarted_empty_does_not_let_a_resend_write_twice(cluster):
    c = cluster
    tid = _ticket(c)
    a, b = c.replicas
    c.sim.clear()
    args = {"ticket_id": tid, "duration_minutes": 25, "notes": "Migrated the mailbox."}
    s, first = call(a.base, "cw_create_time_entry", args)
    assert s == 200 and not first.get("isError"), first
    # Redis restarts with nothing (no persistence): the replay answers and journal are gone.
    c.redis.stop()
    c.redis.start()
    for r in c.replicas:
        wait_for(lambda: get(f"{r.base}/health")[1].get("redis") == "up", "the replica reconnecting to Redis")
    # Right after the restart a replica may still be reconnecting, and refuses writes; a client
    # tries again shortly, as the refusal says.
    deadline = time.time() + 10
    while True:
        s, again = call(b.base, "cw_create_time_entry", args)
        if not (again.get("isError") and "Redis" in text(again)) or time.time() > deadline:
            break
        time.sleep(0.3)
    assert s == 200 and not again.get("isError"), again
    assert "Already done" in text(again), text(again)
    assert again["structuredContent"]["entry"]["id"] == first["structuredContent"]["entry"]["id"]
    assert [(w["method"], w["path"]) for w in c.writes()] == [("POST", "/time/entries")]


def _quietly(fn):
    try:
        fn()
    except OSError:
        pass
