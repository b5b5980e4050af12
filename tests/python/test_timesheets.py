"""The timesheets toolset through a real MCP client: all the time on one ticket, correcting a
time entry I logged (never someone else's, never one on a submitted sheet), my time sheets and
submitting one, and work roles; each checked against the simulator."""
from datetime import datetime, timezone

from harness import connect, expect_refusals, run


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def test_time_on_one_ticket_adds_up(sim):
    some = sim.api("/time/entries", {"conditions": 'chargeToType = "ServiceTicket"', "pageSize": 1})[0]
    tid = some["chargeToId"]
    held = sim.api("/time/entries", {"conditions": f'chargeToType in ("ServiceTicket","ProjectTicket") and chargeToId = {tid}', "pageSize": 100})

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_ticket_time", {"ticket_id": tid})

    r = run(go)
    assert not r.is_error, r.text
    out = r.structured
    assert abs(out["total_hours"] - round(sum(e["actualHours"] for e in held), 2)) < 1e-6
    billable = sum(e["actualHours"] for e in held if e["billableOption"] == "Billable")
    assert abs(out["billable_hours"] - round(billable, 2)) < 1e-6
    by = {}
    for e in held:
        by[e["member"]["identifier"]] = by.get(e["member"]["identifier"], 0) + e["actualHours"]
    assert out["by_member"] == {k: round(v, 2) for k, v in by.items()}
    assert sorted(e["id"] for e in out["entries"]) == sorted(e["id"] for e in held)


def test_correct_my_time_entry_and_nobody_elses(sim, transport):
    start = datetime.now(timezone.utc).replace(microsecond=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    others = sim.api("/time/entries", {"conditions": 'member/identifier = "amorgan" and status = "Open"', "pageSize": 1})[0]
    locked = sim.api("/time/entries", {"conditions": 'member/identifier = "jchen" and status = "ApprovedByTierTwo"', "pageSize": 1})[0]
    ticket = sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen" and status/name != "Resolved"', "pageSize": 1})[0]["id"]

    async def go():
        async with connect(transport, sim.env()) as s:
            logged = await s.call("cw_create_time_entry", {"ticket_id": ticket, "start": start, "duration_minutes": 30, "notes": "First pass"})
            eid = logged.structured["entry"]["id"]
            sim.clear()
            fixed = await s.call("cw_update_time_entry", {"entry_id": eid, "duration_minutes": 45, "notes": "Replaced the toner", "work_type": "remote support"})
            after_fix = _writes(sim)
            sim.clear()
            same = await s.call("cw_update_time_entry", {"entry_id": eid, "duration_minutes": 45, "notes": "Replaced the toner"})
            not_mine = await s.call("cw_update_time_entry", {"entry_id": others["id"], "notes": "mine now"})
            on_locked = await s.call("cw_update_time_entry", {"entry_id": locked["id"], "notes": "too late"})
            after_refusals = _writes(sim)
            return eid, fixed, after_fix, same, not_mine, on_locked, after_refusals

    eid, fixed, after_fix, same, not_mine, on_locked, after_refusals = run(go)
    assert not fixed.is_error, fixed.text
    assert after_fix == [("PATCH", f"/time/entries/{eid}")]
    rec = sim.api(f"/time/entries/{eid}")
    assert rec["actualHours"] == 0.75 and rec["notes"] == "Replaced the toner"
    assert rec["timeStart"] == start and rec["member"]["identifier"] == "jchen"
    assert "Nothing changed" in same.structured["message"]
    assert not_mine.is_error and "logged by amorgan" in not_mine.text
    assert on_locked.is_error and "ApprovedByTierTwo" in on_locked.text
    assert after_refusals == []
    assert sim.api(f"/time/entries/{others['id']}")["notes"] == others["notes"]


def test_my_sheets_and_submitting_this_weeks(sim):
    held = sim.api("/time/sheets", {"conditions": 'member/identifier = "jchen"', "orderBy": "dateStart desc", "pageSize": 3})
    current = held[0]
    assert current["status"] == "Open"

    async def go():
        async with connect("stdio", sim.env()) as s:
            listed = await s.call("cw_list_timesheets", {"page_size": 3})
            open_only = await s.call("cw_list_timesheets", {"open": True})
            sim.clear()
            sent = await s.call("cw_submit_timesheet", {"date": current["dateStart"][:10]})
            after_send = _writes(sim)
            sim.clear()
            again = await s.call("cw_submit_timesheet", {"sheet_id": current["id"]})
            after_again = _writes(sim)
            roles = await s.call("cw_list_work_roles", {})
            return listed, open_only, sent, after_send, again, after_again, roles

    listed, open_only, sent, after_send, again, after_again, roles = run(go)
    assert [s["id"] for s in listed.structured["sheets"]] == [s["id"] for s in held]
    assert all(s["open"] for s in open_only.structured["sheets"]) and current["id"] in [s["id"] for s in open_only.structured["sheets"]]
    assert not sent.is_error, sent.text
    assert after_send == [("POST", f"/time/sheets/{current['id']}/submit")]
    assert sim.api(f"/time/sheets/{current['id']}")["status"] == "PendingApproval"
    assert sent.structured["sheet"]["status"] == "PendingApproval"
    assert "Nothing changed" in again.structured["message"] and after_again == []
    active = sorted(r["name"] for r in sim.api("/time/workRoles", {"conditions": "inactiveFlag = false"}))
    assert [r["name"] for r in roles.structured["roles"]] == active


BAD = [
    ("cw_ticket_time", {"ticket_id": 999999}, "#999999 does not exist"),
    ("cw_update_time_entry", {"entry_id": 1}, "nothing to change"),
    ("cw_update_time_entry", {"entry_id": 999999, "notes": "x"}, "does not exist"),
    ("cw_update_time_entry", {"entry_id": 1, "duration_minutes": 5000}, "1 to 1440"),
    ("cw_update_time_entry", {"entry_id": 1, "billable": "Sometimes"}, "Invalid arguments"),
    ("cw_submit_timesheet", {"sheet_id": 999999}, "does not exist"),
    ("cw_submit_timesheet", {}, "say which sheet"),
    ("cw_submit_timesheet", {"date": "2019-01-07"}, "no time sheet covering 2019-01-07"),
    ("cw_list_timesheets", {"member": "nobody at all"}, "member"),
]


def test_bad_calls_change_nothing(sim):
    sim.clear()
    expect_refusals(sim.env(), BAD)
    assert _writes(sim) == []
