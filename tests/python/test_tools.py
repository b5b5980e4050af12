"""Every tool through a real MCP client: its happy path against the simulated tenant, and
its errors, which must say what to change and must change nothing."""
from datetime import datetime, timedelta, timezone

import pytest

from harness import connect, mine, run


def first(items, pred=lambda x: True):
    return next(x for x in items if pred(x))


def tenant_facts(sim):
    open_mine = sim.api("/service/tickets", {"conditions": 'owner/identifier = "jchen" and closedFlag = false and board/name = "Help Desk"', "pageSize": 5})
    company = sim.api("/company/companies/3")
    contact = first(sim.api("/company/contacts", {"conditions": f"company/id = {company['id']}", "pageSize": 10}))
    config = first(sim.api("/company/configurations", {"pageSize": 1}))
    attached = first(range(1, 50), lambda t: sim.api(f"/service/tickets/{t}/configurations"))
    device = sim.api(f"/service/tickets/{attached}/configurations")[0]
    # A ticket of mine with internal notes and time on it, and dates relative to now (the
    # simulator's data moves with the clock).
    timed = first(sim.api("/time/entries", {"conditions": 'member/identifier = "jchen" and chargeToType = "ServiceTicket"', "orderBy": "timeStart desc", "pageSize": 1}))["chargeToId"]
    today = datetime.now(timezone.utc).date()
    return {"ticket": open_mine[0], "company": company, "contact": contact, "config": config, "attached": (attached, device),
            "timed": timed, "month_ago": str(today - timedelta(days=30)), "tomorrow": str(today + timedelta(days=1))}


def nonempty(items, pred):
    """Every item satisfies `pred`, and there is at least one (an empty answer proves nothing)."""
    return bool(items) and all(pred(x) for x in items)


def happy_calls(f):
    t, co, ct, cfg = f["ticket"], f["company"], f["contact"], f["config"]
    email = first(ct["communicationItems"], lambda i: i["communicationType"] == "Email")["value"]
    return [
        ("cw_my_tickets", {"page_size": 5}, lambda s: s["tickets"] and all(mine(x) and not x["closed"] for x in s["tickets"])),
        ("cw_my_tickets", {"include_resource": False, "page_size": 5}, lambda s: "resources" not in s["conditions"] and nonempty(s["tickets"], lambda x: x["owner"] == "jchen")),
        ("cw_search_tickets", {"company": co["name"], "state": "all", "page_size": 10}, lambda s: nonempty(s["tickets"], lambda x: x["company"] == co["name"])),
        ("cw_search_tickets", {"board": "help desk", "status": "new", "priority": "3"}, lambda s: nonempty(s["tickets"], lambda x: x["status"] == "New" and x["board"] == "Help Desk" and x["priority"].startswith("Priority 3"))),
        ("cw_search_tickets", {"owner": "none", "page_size": 5}, lambda s: nonempty(s["tickets"], lambda x: "owner" not in x)),
        ("cw_search_tickets", {"configuration": f["attached"][1]["deviceIdentifier"], "state": "all"}, lambda s: f["attached"][0] in [x["id"] for x in s["tickets"]] and "attached to" in s["note"]),
        ("cw_get_ticket", {"ticket_id": t["id"], "notes_limit": 3}, lambda s: s["ticket"]["id"] == t["id"] and len(s["notes"]) <= 3 and s["notes_total"] >= 1),
        ("cw_list_ticket_notes", {"ticket_id": t["id"], "kind": "internal"}, lambda s: nonempty(s["notes"], lambda n: n["kind"] == "internal")),
        ("cw_list_my_time", {"from": f["month_ago"], "to": f["tomorrow"], "page_size": 5}, lambda s: nonempty(s["entries"], lambda e: e["member"] == "jchen")),
        ("cw_search_time_entries", {"ticket_id": f["timed"]}, lambda s: nonempty(s["entries"], lambda e: e["ticket_id"] == f["timed"])),
        ("cw_search_companies", {"text": co["name"].split()[0]}, lambda s: any(c["id"] == co["id"] for c in s["companies"])),
        ("cw_get_company", {"company": co["identifier"]}, lambda s: s["id"] == co["id"] and s["contacts"] >= 1),
        ("cw_search_contacts", {"email": email.upper()}, lambda s: [c["id"] for c in s["contacts"]] == [ct["id"]]),
        ("cw_get_contact", {"contact_id": ct["id"]}, lambda s: s["id"] == ct["id"] and email in s["emails"]),
        ("cw_list_configurations", {"company": str(cfg["company"]["id"])}, lambda s: any(c["id"] == cfg["id"] for c in s["configurations"])),
        ("cw_get_configuration", {"configuration_id": cfg["id"]}, lambda s: s["serial_number"] == cfg["serialNumber"]),
        ("cw_search_opportunities", {}, lambda s: len(s["opportunities"]) > 0),
        ("cw_search_agreements", {"status": "active"}, lambda s: nonempty(s["agreements"], lambda a: a["status"] == "Active")),
        ("cw_search_projects", {"state": "all"}, lambda s: len(s["projects"]) > 0),
        ("cw_search_activities", {"state": "all"}, lambda s: len(s["activities"]) > 0),
        ("cw_search_members", {"text": "chen"}, lambda s: [m["identifier"] for m in s["members"]] == ["jchen"]),
        ("cw_list_boards", {}, lambda s: any(st["name"] == ">Closed" and st["closes_ticket"] for b in s["boards"] for st in b["statuses"])),
        ("cw_list_priorities", {}, lambda s: s["priorities"][0]["name"].startswith("Priority 1")),
        ("cw_list_work_types", {}, lambda s: any(w["default"] for w in s["work_types"])),
    ]


def test_every_read_tool_answers(sim, transport):
    facts = tenant_facts(sim)
    calls = happy_calls(facts)

    async def go():
        async with connect(transport, sim.env()) as s:
            return [(name, args, check, await s.call(name, args)) for name, args, check in calls]

    for name, args, check, r in run(go):
        assert not r.is_error, f"{name}({args}): {r.text}"
        assert r.structured is not None and r.text, name
        assert check(r.structured), f"{name}({args}) -> {r.structured}"
    # Reads wrote nothing.
    assert all(req["method"] == "GET" for req in sim.requests())


BAD = [
    ("cw_my_tickets", {"state": "sometimes"}, "Invalid arguments"),
    ("cw_my_tickets", {"priority": "P9"}, "No priority"),
    ("cw_search_tickets", {"configuration": "NO-SUCH-DEVICE"}, "No configuration"),
    ("cw_search_tickets", {"owner": "nobody-here"}, "No member"),
    ("cw_search_time_entries", {"member": "nobody-here"}, "No member"),
    ("cw_search_time_entries", {"from": "yesterday-ish"}, "is not a date"),
    ("cw_search_opportunities", {"sales_rep": "nobody-here"}, "No member"),
    ("cw_search_activities", {"assigned_to": "nobody-here"}, "No member"),
    ("cw_search_projects", {"conditions": "nope = 1"}, "`nope` is not a field"),
    ("cw_list_priorities", {"x": 1}, "unknown argument"),
    ("cw_list_work_types", {"include_inactive": "maybe"}, "Invalid arguments"),
    ("cw_get_ticket", {"ticket_id": 1, "notes_limit": 500}, "at most 50"),
    ("cw_get_ticket", {"ticket_id": 99999999}, "does not exist"),
    ("cw_get_ticket", {"ticket_id": -1}, "ticket_id must be a positive number"),
    ("cw_add_ticket_note", {"ticket_id": 0, "text": "x"}, "ticket_id must be a positive number"),
    ("cw_search_tickets", {"text": "vpn " * 60}, "at most 200"),
    ("cw_get_ticket", {"ticket_id": "abc"}, "Invalid arguments"),
    ("cw_get_ticket", {}, "missing field `ticket_id`"),
    ("cw_search_tickets", {"summry": "x"}, "unknown argument"),
    ("cw_search_tickets", {"status": "New"}, "give `board` too"),
    ("cw_search_tickets", {"board": "Help Dsk"}, 'Did you mean "Help Desk"'),
    ("cw_search_tickets", {"company": "No Such Company Ltd"}, "No company named"),
    ("cw_search_tickets", {"updated_after": "last tuesday"}, "is not a date"),
    ("cw_search_tickets", {"conditions": "invoiceDate > [2024-01-01]"}, "invoiceDate"),
    ("cw_search_tickets", {"conditions": "summary = 'x"}, "could not be parsed"),
    ("cw_search_tickets", {"order_by": "nope desc"}, "order_by field"),
    ("cw_search_tickets", {"page_size": 1000}, "page_size must be"),
    ("cw_search_contacts", {"conditions": "communicationItems/value = 'x'"}, "typed filters"),
    ("cw_get_contact", {"contact_id": 99999999}, "does not exist"),
    ("cw_get_company", {"company": "zzzz-nothing"}, "No company"),
    ("cw_get_configuration", {"configuration_id": 99999999}, "does not exist"),
    ("cw_list_ticket_notes", {"ticket_id": 99999999}, "does not exist"),
    ("cw_search_agreements", {"status": "Happy"}, "use one of"),
    ("cw_search_members", {"text": "x", "page": 0}, "page must be"),
    ("cw_list_my_time", {"from": "2026-11-10", "to": "2026-11-01"}, "must be after"),
    ("cw_list_my_time", {"timezone": "Mars/Base"}, "IANA"),
    ("cw_list_boards", {"board": "Helpdsk"}, "Did you mean \"Help Desk\""),
    ("cw_create_ticket", {"summary": "x" * 101, "company": "3"}, "100"),
    ("cw_create_ticket", {"summary": "New laptop", "company": "3", "board": "Help Desk", "status": "Completed"}, "No status on board \"Help Desk\""),
    ("cw_create_ticket", {"summary": "New laptop", "company": "3", "owner": "nobody-here"}, "No member"),
    ("cw_update_ticket", {"ticket_id": 1}, "nothing to change"),
    ("cw_update_ticket", {"ticket_id": 99999999, "priority": "1"}, "does not exist"),
    ("cw_add_ticket_note", {"ticket_id": 1, "text": "   "}, "text is empty"),
    ("cw_add_ticket_note", {"ticket_id": 1, "text": "x", "visibility": "public"}, "Invalid arguments"),
    ("cw_add_ticket_note", {"ticket_id": 99999999, "text": "x"}, "does not exist"),
    ("cw_create_time_entry", {"ticket_id": 1, "start": "2026-11-18T09:00"}, "duration_minutes"),
    ("cw_create_time_entry", {"ticket_id": 1, "start": "2026-11-18T09:00", "duration_minutes": 0}, "from 1 to 1440"),
    ("cw_create_time_entry", {"ticket_id": 1, "start": "2026-11-18T09:00", "end": "2026-11-18T08:00"}, "after start"),
    ("cw_create_time_entry", {"start": "2026-11-18T09:00", "duration_minutes": 30}, "give ticket_id"),
    ("cw_create_time_entry", {"ticket_id": 1, "start": "2026-11-18T09:00", "duration_minutes": 30, "work_type": "Remote Suport"}, 'Did you mean "Remote Support"'),
]


@pytest.mark.parametrize("name,args,expect", BAD, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)])
def test_bad_arguments_are_actionable_tool_errors_and_write_nothing(sim, name, args, expect):
    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call(name, args)

    r = run(go)
    assert r.is_error, f"{name}({args}) should fail: {r.text}"
    assert expect in r.text, f"{name}({args}): {r.text}"
    assert not [q for q in sim.requests() if q["method"] != "GET" and q["status"] < 300], "nothing was written"


def test_connectwise_errors_reach_the_caller_with_a_hint(sim):
    # Last week's time sheet is approved: ConnectWise refuses, and says so.
    facts = tenant_facts(sim)
    sheets = sim.api("/time/sheets", {"conditions": 'member/identifier = "jchen" and status = "ApprovedByTierTwo"', "orderBy": "dateStart desc", "pageSize": 1})
    day = sheets[0]["dateStart"][:10]

    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_create_time_entry", {"ticket_id": facts["ticket"]["id"], "start": f"{day}T10:00", "duration_minutes": 30})

    r = run(go)
    assert r.is_error
    assert "ApprovedByTierTwo" in r.text, r.text
    assert "What to do" in r.text
    # Wrong keys: a 401 with the hint, and no key in the message.
    env = sim.env()
    env["CW_PRIVATE_KEY"] = "definitely-wrong-key"

    async def bad():
        async with connect("stdio", env) as s:
            return await s.call("cw_my_tickets", {})

    r = run(bad)
    assert r.is_error and "401" in r.text and "keys" in r.text
    assert "definitely-wrong-key" not in r.text


def test_my_tools_fall_back_to_my_account_and_explain_when_missing(sim):
    async def go():
        async with connect("stdio", sim.env(with_member=False)) as s:
            ok = await s.call("cw_my_tickets", {"page_size": 3})
            sim.config(myAccount=False)
            return ok

    ok = run(go)
    assert not ok.is_error and all(mine(t) for t in ok.structured["tickets"])

    async def missing():
        async with connect("stdio", sim.env(with_member=False)) as s:
            return await s.call("cw_list_my_time", {})

    r = run(missing)
    assert r.is_error and "CW_MEMBER_IDENTIFIER" in r.text


def test_my_tickets_include_those_i_am_a_resource_on(sim):
    shared = sim.api("/service/tickets", {"conditions": 'resources contains "jchen" and owner/identifier != "jchen" and closedFlag = false', "pageSize": 1})
    assert shared, "the demo tenant has tickets jchen helps on without owning"
    tid = shared[0]["id"]

    async def go():
        async with connect("stdio", sim.env()) as s:
            with_res = await s.call("cw_my_tickets", {"conditions": f"id = {tid}"})
            without = await s.call("cw_my_tickets", {"conditions": f"id = {tid}", "include_resource": False})
            return with_res, without

    with_res, without = run(go)
    assert [t["id"] for t in with_res.structured["tickets"]] == [tid]
    assert "jchen" in with_res.structured["tickets"][0]["resources"] and "resources" in with_res.text
    assert without.structured["tickets"] == []
