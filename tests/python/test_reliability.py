"""Upstream trouble as a technician meets it: throttling and 5xx on reads are retried; a write
is sent once, and when its answer is lost the tool reads back and reports what really happened."""
from harness import connect, run


def mine(sim):
    return sim.api("/service/tickets", {"conditions": 'owner/identifier = "jchen" and closedFlag = false', "pageSize": 1})[0]["id"]


def notes_count(sim, tid):
    return len(sim.api(f"/service/tickets/{tid}/notes", {"pageSize": 1000}))


def test_reads_survive_throttling_and_server_errors(sim):
    sim.fault(method="GET", path="/service/tickets", kind="status", status=429, retry_after=1, times=1)
    sim.fault(method="GET", path="/service/tickets", kind="status", status=503, times=1)

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_my_tickets", {"page_size": 3})

    r = run(go)
    assert not r.is_error, r.text
    assert [q["status"] for q in sim.requests() if q["path"] == "/service/tickets"] == [429, 503, 200]


def test_a_write_whose_answer_is_lost_is_confirmed_by_reading_back(sim):
    tid = mine(sim)
    before = notes_count(sim, tid)
    sim.fault(method="POST", path="/service/tickets/*/notes", kind="drop_after", times=1)

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Replaced the fuser."})

    r = run(go)
    assert not r.is_error, r.text
    assert notes_count(sim, tid) == before + 1, "written exactly once, not re-sent"
    assert len([q for q in sim.requests() if q["method"] == "POST"]) == 1


def test_a_write_connectwise_failed_is_reported_as_not_done(sim):
    # ConnectWise answered 500 and made nothing: reading back says so. (A lost answer is "not
    # known yet" until it can be known: crates/connectwise-mcp/tests/journal.rs.)
    tid = mine(sim)
    before = notes_count(sim, tid)
    sim.fault(method="POST", path="/service/tickets/*/notes", kind="status", status=500, times=1)

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Replaced the fuser."})

    r = run(go)
    assert r.is_error and "was not made" in r.text and "nothing was written" in r.text, r.text
    assert notes_count(sim, tid) == before
    assert len([q for q in sim.requests() if q["method"] == "POST"]) == 1, "never re-sent blindly"


def test_a_failed_write_is_not_retried(sim):
    tid = mine(sim)
    sim.fault(method="POST", path="/time/entries", kind="status", status=503, times=3)

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_create_time_entry", {"ticket_id": tid, "start": "2026-11-16T09:00:00Z", "duration_minutes": 15})

    r = run(go)
    assert r.is_error and "503" in r.text and "try again" in r.text, r.text
    assert len([q for q in sim.requests() if q["method"] == "POST"]) == 1


def test_an_identical_write_resent_at_once_is_not_written_twice(sim):
    tid = mine(sim)
    before = notes_count(sim, tid)

    async def go():
        async with connect("stdio", sim.env()) as s:
            a = await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Client re-sent this."})
            b = await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Client re-sent this."})
            c = await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "A different note."})
            return a, b, c

    a, b, c = run(go)
    assert not a.is_error and not b.is_error and not c.is_error
    assert "Already done" in b.text and b.structured == a.structured
    assert notes_count(sim, tid) == before + 2
    assert len([q for q in sim.requests() if q["method"] == "POST"]) == 2
