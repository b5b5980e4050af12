"""The service toolset through a real MCP client: a ticket's task checklist (list, add,
complete), one board's whole setup, service teams and ticket sources, each compared with what
the simulator holds, and bad calls that write nothing."""
from harness import connect, expect_refusals, run


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def test_a_ticket_checklist_list_add_and_complete(sim, transport):
    held = sim.api("/service/tickets/5/tasks")
    open_task = next(t for t in held if not t["closedFlag"])

    async def go():
        async with connect(transport, sim.env()) as s:
            listed = await s.call("cw_list_ticket_tasks", {"ticket_id": 5})
            sim.clear()
            added = await s.call("cw_add_ticket_task", {"ticket_id": 5, "summary": "  Check the UPS battery ", "notes": "Rack B"})
            after_add = _writes(sim)
            done = await s.call("cw_complete_ticket_task", {"ticket_id": 5, "task_id": open_task["id"], "resolution": "Rebooted at 22:00"})
            sim.clear()
            again = await s.call("cw_complete_ticket_task", {"ticket_id": 5, "task_id": open_task["id"]})
            after_again = _writes(sim)
            reopened = await s.call("cw_complete_ticket_task", {"ticket_id": 5, "task_id": open_task["id"], "done": False})
            return listed, added, after_add, done, again, after_again, reopened

    listed, added, after_add, done, again, after_again, reopened = run(go)
    assert not listed.is_error, listed.text
    assert [t["id"] for t in listed.structured["tasks"]] == [t["id"] for t in sorted(held, key=lambda t: (t["priority"], t["id"]))]
    assert listed.structured["done"] == sum(1 for t in held if t["closedFlag"])

    assert not added.is_error, added.text
    assert after_add == [("POST", "/service/tickets/5/tasks")]
    new = sim.api(f"/service/tickets/5/tasks/{added.structured['task']['id']}")
    assert new["summary"] == "Check the UPS battery" and new["notes"] == "Rack B" and new["closedFlag"] is False
    assert new["priority"] == max(t["priority"] for t in held) + 1

    assert not done.is_error, done.text
    rec = sim.api(f"/service/tickets/5/tasks/{open_task['id']}")
    assert "Nothing changed" in again.structured["message"] and after_again == []
    assert not reopened.is_error and reopened.structured["task"]["done"] is False
    assert rec["resolution"] == "Rebooted at 22:00"
    assert sim.api(f"/service/tickets/5/tasks/{open_task['id']}")["closedFlag"] is False


def test_a_board_its_teams_and_the_service_lookups(sim):
    statuses = sim.api("/service/boards/1/statuses")
    teams = sim.api("/service/boards/1/teams")
    members = {m["id"]: m["identifier"] for m in sim.api("/system/members", {"pageSize": 100})}
    text_env = {k: v for k, v in sim.env().items() if k != "MCP_STRUCTURED_CONTENT"}

    async def go():
        async with connect("stdio", sim.env()) as s:
            board = await s.call("cw_get_board", {"board": "help desk"})
            teams_out = await s.call("cw_list_service_teams", {})
            sources = await s.call("cw_list_ticket_sources", {})
        async with connect("stdio", text_env) as s:
            text = await s.call("cw_get_board", {"board": "1"})
        return board, teams_out, sources, text

    board, teams_out, sources, text = run(go)
    assert not board.is_error, board.text
    b = board.structured
    assert b["name"] == "Help Desk"
    closing = {s["name"] for s in statuses if s["closedStatus"] and not s.get("inactive")}
    assert {s["name"] for s in b["statuses"] if s["closes"]} == closing
    assert {t["name"]: sorted(t["members"]) for t in b["teams"]} == {
        t["name"]: sorted(members[m] for m in t["members"]) for t in teams
    }
    assert all(t["members"] for t in b["teams"])
    assert b["setup"].get("dispatcher") == "dreyes"

    held = sim.api("/service/teams")
    assert [t["name"] for t in teams_out.structured["teams"]] == sorted(t["name"] for t in held)
    assert all(t.get("leader") for t in teams_out.structured["teams"])
    names = [s["name"] for s in sim.api("/service/sources")]
    assert sorted(sources.structured["sources"]) == sorted(names)
    assert sources.structured["default"] == next(s["name"] for s in sim.api("/service/sources") if s["defaultFlag"])
    assert text.text.startswith("Board Help Desk (id 1)") and "(closes)" in text.text and "team Tier 1" in text.text


BAD = [
    ("cw_list_ticket_tasks", {"ticket_id": 999999}, "#999999 does not exist"),
    ("cw_add_ticket_task", {"ticket_id": 5, "summary": "x" * 101}, "1 to 100 characters"),
    ("cw_add_ticket_task", {"ticket_id": 5, "summary": "   "}, "1 to 100 characters"),
    ("cw_add_ticket_task", {"ticket_id": 999999, "summary": "Check"}, "does not exist"),
    ("cw_complete_ticket_task", {"ticket_id": 5, "task_id": 999999}, "has no task 999999"),
    ("cw_get_board", {"board": "Servce Dsk"}, "Help Desk"),
    ("cw_list_ticket_sources", {"extra": 1}, "unknown argument"),
]


def test_bad_calls_change_nothing(sim):
    sim.clear()
    expect_refusals(sim.env(), BAD)
    assert _writes(sim) == []
