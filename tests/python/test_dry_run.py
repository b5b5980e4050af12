"""dry_run: true on every write tool, through a real MCP client: each answers with the write it
would send (method, path, body) and the names it resolved, and the simulator's request log
shows that nothing but reads reached ConnectWise. Every write tool is covered: one that takes
dry_run and has no case here fails the test."""
from datetime import datetime, timedelta, timezone

from harness import connect, run


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def test_every_write_previews_and_writes_nothing(sim):
    t = sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen" and board/name = "Help Desk"', "pageSize": 1})[0]
    tid = t["id"]
    status = next(s for s in sim.api(f"/service/boards/{t['board']['id']}/statuses") if not s["closedStatus"] and s["id"] != t["status"]["id"])
    company = sim.api("/company/companies", {"conditions": f"id = {t['company']['id']}"})[0]
    entry = sim.api("/time/entries", {"conditions": 'member/identifier = "jchen" and status = "Open"', "orderBy": "id desc", "pageSize": 1})[0]
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")

    async def go():
        async with connect("stdio", sim.env()) as s:
            tools = {x["name"]: x for x in await s.tools()}
            booked = await s.call("cw_schedule_ticket", {"ticket_id": tid, "start": f"{tomorrow}T10:00", "allow_conflicts": True})
            task = await s.call("cw_add_ticket_task", {"ticket_id": tid, "summary": "Check the backups"})
            eid = booked.structured["entry"]["id"]
            task_id = task.structured["task"]["id"]
            cases = {
                "cw_create_ticket": {"company": company["name"], "summary": "Label printer jams on every second label", "board": "help", "priority": "p2", "create_anyway": True},
                "cw_update_ticket": {"ticket_id": tid, "status": status["name"].lower(), "owner": "psharma"},
                "cw_add_ticket_note": {"ticket_id": tid, "text": "Called the customer back."},
                "cw_create_time_entry": {"ticket_id": tid, "duration_minutes": 15, "notes": "Phone call", "work_type": "remote"},
                "cw_schedule_ticket": {"ticket_id": tid, "start": f"{tomorrow}T14:00", "member": "psharma", "allow_conflicts": True},
                "cw_move_schedule_entry": {"entry_id": eid, "start": f"{tomorrow}T11:00", "allow_conflicts": True},
                "cw_remove_schedule_entry": {"entry_id": eid},
                "cw_add_ticket_task": {"ticket_id": tid, "summary": "Replace the toner"},
                "cw_complete_ticket_task": {"ticket_id": tid, "task_id": task_id, "resolution": "Done"},
                "cw_update_time_entry": {"entry_id": entry["id"], "notes": "Corrected notes"},
                "cw_submit_timesheet": {"date": today},
            }
            sim.clear()
            out = {name: await s.call(name, {**args, "dry_run": True}) for name, args in cases.items()}
            writes = _writes(sim)
            bad = await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "x", "dry_run": "yes"})
            wrong_name = await s.call("cw_create_ticket", {"company": company["name"], "summary": "Another one", "board": "no such board", "dry_run": True})
            real = await s.call("cw_add_ticket_note", {"ticket_id": tid, "text": "Called the customer back."})
            return tools, cases, out, writes, bad, wrong_name, real

    tools, cases, out, writes, bad, wrong_name, real = run(go)
    takes = {n for n, x in tools.items() if "dry_run" in x["inputSchema"].get("properties", {})}
    assert takes == set(cases), "every tool that takes dry_run has a case here"
    writers = {n for n, x in tools.items() if not x.get("annotations", {}).get("readOnlyHint")}
    assert writers - takes == {"cw_close_ticket"}, "only the tool with its own preview (confirm) does without"
    assert writes == [], writes
    for name, r in out.items():
        assert not r.is_error, (name, r.text)
        assert r.structured["dry_run"] is True, (name, r.structured)
    note = out["cw_add_ticket_note"].structured
    assert (note["method"], note["path"]) == ("POST", f"/service/tickets/{tid}/notes")
    assert note["body"]["text"] == "Called the customer back." and note["body"]["internalAnalysisFlag"] is True
    created = out["cw_create_ticket"].structured
    assert (created["method"], created["path"]) == ("POST", "/service/tickets")
    resolved = {r["what"]: r for r in created["resolved"]}
    assert resolved["board"]["given"] == "help" and resolved["board"]["name"] == "Help Desk"
    assert resolved["priority"]["name"].startswith("Priority 2")
    assert created["body"]["board"]["id"] == resolved["board"]["id"]
    upd = out["cw_update_ticket"].structured
    assert upd["method"] == "PATCH" and upd["path"] == f"/service/tickets/{tid}"
    assert {r["what"] for r in upd["resolved"]} >= {"status", "member"}
    assert out["cw_remove_schedule_entry"].structured["method"] == "DELETE"
    assert out["cw_submit_timesheet"].structured["method"] == "POST"
    assert bad.is_error and "dry_run must be true or false" in bad.text
    assert wrong_name.is_error and "board" in wrong_name.text.lower()
    # The same call without dry_run writes.
    assert not real.is_error and real.structured["note"]["id"]


def test_a_dry_run_reads_as_text(sim):
    env = {k: v for k, v in sim.env().items() if k != "MCP_STRUCTURED_CONTENT"}

    async def go():
        async with connect("stdio", env) as s:
            sim.clear()
            r = await s.call("cw_create_time_entry", {"ticket_id": 1, "duration_minutes": 30, "notes": "Remote session", "work_type": "remote", "dry_run": True})
            return r, _writes(sim)

    r, writes = run(go)
    assert not r.is_error, r.text
    assert writes == []
    lines = r.text.splitlines()
    assert lines[0] == "Dry run of cw_create_time_entry: nothing was written. The first write it would send:"
    assert lines[1] == "POST /time/entries"
    assert '"notes":"Remote session"' in lines[2]
    assert lines[3].startswith('Names: work type "remote" is ')
