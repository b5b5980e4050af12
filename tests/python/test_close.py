"""cw_close_ticket through a real MCP client: a preview writes nothing; a confirmed close-out
logs the time, adds the resolution note and closes the ticket, in that order; a close-out whose
time is refused by a submitted time sheet writes nothing and says so; one whose status change
fails says exactly which parts were written, and a re-send finishes it without doubling them."""
from datetime import datetime, timezone

from harness import connect, expect_refusals, run


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def _open_ticket(sim):
    return sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen" and board/name = "Help Desk"', "pageSize": 1})[0]


def test_preview_then_close_out(sim, transport):
    t = _open_ticket(sim)
    tid = t["id"]

    async def go():
        async with connect(transport, sim.env()) as s:
            sim.clear()
            preview = await s.call("cw_close_ticket", {"ticket_id": tid, "resolution": "Replaced the failed toner cartridge; test page prints.", "duration_minutes": 25})
            after_preview = _writes(sim)
            done = await s.call("cw_close_ticket", {"ticket_id": tid, "resolution": "Replaced the failed toner cartridge; test page prints.", "duration_minutes": 25, "confirm": True})
            return preview, after_preview, done

    preview, after_preview, done = run(go)
    assert not preview.is_error, preview.text
    p = preview.structured
    assert p["preview"] is True and [x["part"] for x in p["parts"]] == ["time", "resolution note", "status"]
    assert all(x["state"] == "would do" for x in p["parts"]) and "closes the ticket" in p["parts"][2]["detail"]
    assert after_preview == []

    assert not done.is_error, done.text
    assert [x["state"] for x in done.structured["parts"]] == ["done", "done", "done"]
    assert _writes(sim) == [("POST", "/time/entries"), ("POST", f"/service/tickets/{tid}/notes"), ("PATCH", f"/service/tickets/{tid}")]
    after = sim.api(f"/service/tickets/{tid}")
    assert after["closedFlag"] is True
    notes = sim.api(f"/service/tickets/{tid}/notes", {"conditions": "resolutionFlag = true", "orderBy": "id desc", "pageSize": 1})
    assert notes[0]["text"] == "Replaced the failed toner cartridge; test page prints."
    entry = sim.api("/time/entries", {"conditions": f"chargeToId = {tid}", "orderBy": "id desc", "pageSize": 1})[0]
    assert abs(entry["actualHours"] - 25 / 60) < 0.01 and entry["member"]["identifier"] == "jchen"


def test_time_refused_by_a_submitted_sheet_writes_nothing(sim):
    tid = _open_ticket(sim)["id"]
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")

    async def go():
        async with connect("stdio", sim.env()) as s:
            sub = await s.call("cw_submit_timesheet", {"date": today})
            sim.clear()
            r = await s.call("cw_close_ticket", {"ticket_id": tid, "resolution": "Reset the VPN profile.", "duration_minutes": 15, "confirm": True})
            return sub, r

    sub, r = run(go)
    assert not sub.is_error, sub.text
    assert r.is_error and "was not closed and nothing was written" in r.text and "time: failed" in r.text
    # ConnectWise refused the time entry; no note was sent and the status was not changed.
    assert [(q["method"], q["path"], q["status"]) for q in sim.requests() if q["method"] != "GET"] == [("POST", "/time/entries", 400)]
    assert sim.api(f"/service/tickets/{tid}")["closedFlag"] is False


def test_a_failed_status_change_is_reported_and_a_resend_finishes_without_doubling(sim):
    tid = _open_ticket(sim)["id"]
    args = {"ticket_id": tid, "resolution": "Rebuilt the mail profile.", "duration_minutes": 10, "confirm": True}

    async def go():
        async with connect("stdio", sim.env()) as s:
            sim.clear()
            sim.fault(method="PATCH", path=f"/service/tickets/{tid}", kind="status", status=503, times=1)
            first = await s.call("cw_close_ticket", args)
            writes_first = _writes(sim)
            sim.clear()
            again = await s.call("cw_close_ticket", args)
            return first, writes_first, again

    first, writes_first, again = run(go)
    assert first.is_error and "was NOT closed" in first.text
    assert "time: done" in first.text and "resolution note: done" in first.text and "status: failed" in first.text
    assert [w[0] for w in writes_first] == ["POST", "POST", "PATCH"]
    assert not again.is_error, again.text
    # The re-send wrote only the status change: the time and the note were answered, not redone.
    assert _writes(sim) == [("PATCH", f"/service/tickets/{tid}")]
    assert sim.api(f"/service/tickets/{tid}")["closedFlag"] is True


def test_bad_close_outs_are_refused_before_anything_is_written(sim):
    t = _open_ticket(sim)
    sim.clear()
    expect_refusals(sim.env(), [
        ("cw_close_ticket", {"ticket_id": t["id"], "resolution": "  "}, "resolution must be"),
        ("cw_close_ticket", {"ticket_id": t["id"], "resolution": "x", "status": "In Progress"}, "does not close a ticket"),
        ("cw_close_ticket", {"ticket_id": 999999, "resolution": "x"}, "#999999 does not exist"),
        ("cw_close_ticket", {"ticket_id": t["id"], "resolution": "x", "duration_minutes": 0}, "1 to 1440"),
        ("cw_close_ticket", {"ticket_id": t["id"], "resolution": "x", "work_type": "Nope Work"}, "work type"),
    ])
    assert _writes(sim) == []
