"""A technician's day, end to end: my open tickets → ticket detail → internal note → status
change by name → log 30 minutes → my time today shows it. The simulator's state and request
log confirm each write, attributed to the right member, and that nothing else was written."""
from datetime import datetime, timezone

from harness import connect, run


def test_technician_day(sim, transport):
    # Now, not earlier: an hour ago can fall in last week, whose time sheet is approved.
    start = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def day():
        async with connect(transport, sim.env()) as s:
            mine = await s.call("cw_my_tickets", {})
            target = next(t for t in mine.structured["tickets"] if t["board"] == "Help Desk" and t["status"] != "In Progress")
            detail = await s.call("cw_get_ticket", {"ticket_id": target["id"]})
            sim.clear()
            note = await s.call("cw_add_ticket_note", {"ticket_id": target["id"], "text": "Rebooted the print spooler; monitoring."})
            status = await s.call("cw_update_ticket", {"ticket_id": target["id"], "status": "in progress"})
            time = await s.call("cw_create_time_entry", {"ticket_id": target["id"], "start": start, "duration_minutes": 30, "notes": "Spooler restart"})
            writes = [q for q in sim.requests() if q["method"] != "GET"]
            today = await s.call("cw_list_my_time", {"from": start[:10], "timezone": "UTC"})
            return target, detail, note, status, time, writes, today

    target, detail, note, status, time, writes, today = run(day)
    tid = target["id"]
    for r in (detail, note, status, time, today):
        assert not r.is_error, r.text
    assert detail.structured["ticket"]["id"] == tid and detail.structured["notes"]
    assert note.structured["customer_visible"] is False and "internal" in note.text
    assert status.structured["ticket"]["status"] == "In Progress"
    assert abs(time.structured["entry"]["hours"] - 0.5) < 1e-9
    assert any(e["id"] == time.structured["entry"]["id"] for e in today.structured["entries"])

    # Exactly three writes reached ConnectWise, all as jchen.
    assert [(w["method"], w["path"]) for w in writes] == [
        ("POST", f"/service/tickets/{tid}/notes"),
        ("PATCH", f"/service/tickets/{tid}"),
        ("POST", "/time/entries"),
    ]
    assert all(w["member"] == "jchen" and w["status"] in (200, 201) for w in writes)
    assert writes[0]["body"]["internalAnalysisFlag"] is True and writes[0]["body"]["processNotifications"] is False
    assert [op["path"] for op in writes[1]["body"]] == ["status"]
    assert writes[2]["body"]["timeStart"] == start and writes[2]["body"]["emailContactFlag"] is False

    # The tenant's state agrees.
    notes = sim.api(f"/service/tickets/{tid}/notes", {"orderBy": "id desc", "pageSize": 1})
    assert notes[0]["text"] == "Rebooted the print spooler; monitoring."
    assert notes[0]["member"]["identifier"] == "jchen" and notes[0]["internalAnalysisFlag"] is True
    ticket = sim.api(f"/service/tickets/{tid}")
    assert ticket["status"]["name"] == "In Progress" and ticket["_info"]["updatedBy"] == "jchen"
    entry = sim.api(f"/time/entries/{time.structured['entry']['id']}")
    assert entry["member"]["identifier"] == "jchen" and entry["chargeToId"] == tid
    assert sim.outbox() == [], "no e-mail was sent"


def test_closing_a_ticket_by_name(sim):
    async def go():
        async with connect("stdio", sim.env()) as s:
            mine = await s.call("cw_my_tickets", {"board": "Help Desk"})
            tid = mine.structured["tickets"][0]["id"]
            return tid, await s.call("cw_update_ticket", {"ticket_id": tid, "status": "closed"}), await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Fixed by replacing the toner.", "visibility": "resolution"})

    tid, closed, note = run(go)
    assert not closed.is_error, closed.text
    assert closed.structured["ticket"]["status"] == ">Closed" and closed.structured["ticket"]["closed"]
    assert "now closed" in closed.text
    assert note.structured["customer_visible"] is True and "customer-visible" in note.text
    assert sim.api(f"/service/tickets/{tid}")["closedFlag"] is True


def test_create_ticket_by_names(sim):
    company = sim.api("/company/companies/5")
    contact = sim.api("/company/contacts", {"conditions": f"company/id = {company['id']}", "pageSize": 1})[0]

    async def go():
        async with connect("http", sim.env()) as s:
            return await s.call("cw_create_ticket", {
                "summary": "Printer jams on tray 2",
                "company": company["name"],
                "contact": f"{contact['firstName']} {contact['lastName']}",
                "board": "Help Desk", "status": "Assigned", "priority": "2", "type": "incident", "owner": "Jamie Chen",
                "description": "Tray 2 jams on every job.",
            })

    r = run(go)
    assert not r.is_error, r.text
    t = r.structured["ticket"]
    created = sim.api(f"/service/tickets/{t['id']}")
    assert created["company"]["id"] == company["id"] and created["contact"]["id"] == contact["id"]
    assert created["status"]["name"] == "Assigned" and created["priority"]["name"].startswith("Priority 2")
    assert created["owner"]["identifier"] == "jchen" and created["type"]["name"] == "Incident"
    assert created["_info"]["enteredBy"] == "jchen"
    notes = sim.api(f"/service/tickets/{t['id']}/notes")
    assert [n["text"] for n in notes] == ["Tray 2 jams on every job."]
    assert sim.outbox() == []
