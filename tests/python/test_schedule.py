"""The schedule toolset through a real MCP client: my day and a colleague's with the free time
left, booking a ticket (a double booking is refused unless allowed), moving and removing an
entry. The simulator's records and request log show exactly what was written."""
from datetime import datetime, timedelta, timezone

from harness import connect, expect_refusals, run


def _day(days_ahead: int) -> str:
    d = datetime.now(timezone.utc).date() + timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d.isoformat()


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def test_a_day_shows_the_bookings_and_the_free_time_around_them(sim):
    booked = sim.api("/schedule/entries", {"conditions": 'member/identifier = "dreyes"', "orderBy": "dateStart asc", "pageSize": 1})[0]
    day = booked["dateStart"][:10]

    text_env = {k: v for k, v in sim.env().items() if k != "MCP_STRUCTURED_CONTENT"}

    async def go():
        async with connect("stdio", sim.env()) as s:
            mine = await s.call("cw_schedule", {"timezone": "UTC"})
            theirs = await s.call("cw_schedule", {"member": "Dana Reyes", "from": day, "timezone": "UTC", "work_hours": "00:00-23:59"})
        async with connect("stdio", text_env) as s:
            text = await s.call("cw_schedule", {"member": "dreyes", "from": day, "timezone": "UTC"})
        return mine, theirs, text

    mine, theirs, text = run(go)
    assert not mine.is_error and mine.structured["member"] == "jchen"
    assert not theirs.is_error, theirs.text
    t = theirs.structured
    assert t["member"] == "dreyes"
    assert booked["id"] in [e["id"] for e in t["entries"]]
    entry = next(e for e in t["entries"] if e["id"] == booked["id"])
    assert entry["ticket_id"] == booked["objectId"]
    assert entry["start"] == booked["dateStart"][:16].replace("T", " ")
    # Free time never overlaps a booking.
    for w in t["free"]:
        for e in t["entries"]:
            assert not (w["start"] < e["end"] and e["start"] < w["end"]), (w, e)
    assert f"#{booked['objectId']}" in text.text and "Free in working hours:" in text.text
    assert text.text.startswith(f"Schedule of dreyes from {day} 00:00")


def test_book_refuse_a_double_booking_move_and_remove(sim, transport):
    day = _day(10)
    ticket = sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen"', "pageSize": 2})
    first, second = ticket[0]["id"], ticket[1]["id"]

    async def go():
        async with connect(transport, sim.env()) as s:
            sim.clear()
            booked = await s.call("cw_schedule_ticket", {"ticket_id": first, "start": f"{day}T10:00", "duration_minutes": 90, "timezone": "UTC"})
            after_book = _writes(sim)
            sim.clear()
            clash = await s.call("cw_schedule_ticket", {"ticket_id": second, "start": f"{day}T11:00", "timezone": "UTC"})
            after_clash = _writes(sim)
            forced = await s.call("cw_schedule_ticket", {"ticket_id": second, "start": f"{day}T11:00", "timezone": "UTC", "allow_conflicts": True})
            eid = booked.structured["entry"]["id"]
            moved = await s.call("cw_move_schedule_entry", {"entry_id": eid, "start": f"{day}T14:00", "timezone": "UTC"})
            handed = await s.call("cw_move_schedule_entry", {"entry_id": eid, "member": "psharma"})
            sim.clear()
            same = await s.call("cw_move_schedule_entry", {"entry_id": eid, "member": "psharma"})
            after_same = _writes(sim)
            removed = await s.call("cw_remove_schedule_entry", {"entry_id": eid})
            again = await s.call("cw_remove_schedule_entry", {"entry_id": eid})
            return booked, after_book, clash, after_clash, forced, moved, handed, same, after_same, removed, again

    booked, after_book, clash, after_clash, forced, moved, handed, same, after_same, removed, again = run(go)
    assert not booked.is_error, booked.text
    eid = booked.structured["entry"]["id"]
    assert after_book == [("POST", "/schedule/entries")]
    assert f"#{first}" in booked.structured["message"] and f"{day} 10:00–11:30" in booked.structured["message"]

    # The overlapping booking is refused, names the clash, and writes nothing.
    assert clash.is_error and "already booked" in clash.text and str(eid) in clash.text
    assert after_clash == []
    assert not forced.is_error, forced.text

    # A move keeps the length; a hand-over changes only the member; repeating it changes nothing.
    assert not moved.is_error, moved.text
    assert not handed.is_error and "jchen → psharma" in handed.structured["message"]
    assert not same.is_error and "Nothing changed" in same.structured["message"] and after_same == []

    # Removing takes it off the calendar; a second removal says it is gone.
    assert not removed.is_error, removed.text
    assert again.is_error and "does not exist" in again.text
    others = sim.api("/schedule/entries", {"conditions": f"id = {eid}"})
    assert others == []
    kept = sim.api(f"/schedule/entries/{forced.structured['entry']['id']}")
    assert kept["objectId"] == second and kept["member"]["identifier"] == "jchen"


def test_the_moved_entry_is_what_the_simulator_holds(sim):
    day = _day(12)
    t = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        async with connect("stdio", sim.env()) as s:
            b = await s.call("cw_schedule_ticket", {"ticket_id": t, "start": f"{day}T09:00Z", "end": f"{day}T09:45Z"})
            assert not b.is_error, b.text
            m = await s.call("cw_move_schedule_entry", {"entry_id": b.structured["entry"]["id"], "start": f"{day}T15:30Z"})
            return b, m

    b, m = run(go)
    assert not b.is_error and not m.is_error, (b.text, m.text)
    rec = sim.api(f"/schedule/entries/{b.structured['entry']['id']}")
    assert rec["dateStart"] == f"{day}T15:30:00Z" and rec["dateEnd"] == f"{day}T16:15:00Z"
    assert rec["objectId"] == t and rec["type"]["identifier"] == "S"


BAD = [
    ("cw_schedule", {"member": "nobody at all"}, "member"),
    ("cw_schedule", {"from": "2026-01-01", "to": "2026-03-01"}, "31 days"),
    ("cw_schedule", {"work_hours": "nine to five"}, "08:00-17:00"),
    ("cw_schedule_ticket", {"ticket_id": 999999, "start": "2027-01-04T10:00Z"}, "#999999 does not exist"),
    ("cw_schedule_ticket", {"ticket_id": 5, "start": "2027-01-04T10:00Z", "end": "2027-01-04T09:00Z"}, "after start"),
    ("cw_schedule_ticket", {"ticket_id": 5, "start": "soon"}, "not a date"),
    ("cw_move_schedule_entry", {"entry_id": 3}, "nothing to change"),
    ("cw_move_schedule_entry", {"entry_id": 999999, "start": "2027-01-04T10:00Z"}, "does not exist"),
    ("cw_remove_schedule_entry", {"entry_id": -4}, "positive"),
]


def test_bad_calls_change_nothing(sim):
    sim.clear()
    expect_refusals(sim.env(), BAD)
    assert _writes(sim) == []


def test_connectwise_refusal_reaches_a_read_only_member(sim):
    entry = sim.api("/schedule/entries", {"pageSize": 1})[0]

    async def go():
        async with connect("stdio", sim.env("apireader")) as s:
            return await s.call("cw_remove_schedule_entry", {"entry_id": entry["id"]})

    r = run(go)
    assert r.is_error and "403" in r.text and "security" in r.text.lower()
    assert sim.api(f"/schedule/entries/{entry['id']}")["id"] == entry["id"]
