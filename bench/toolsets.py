#!/usr/bin/env python3
"""Bytes each toolset costs a model: its `tools/list` when it alone is on, and the text of
one typical call of each of its tools, through the MCP Python SDK over stdio against the
simulated tenant (default shape: text results, no output schemas; reads only, so the tenant
is the same for every row).

Run: scripts/test-deps && cargo build --release &&
     CW_MCP_BIN=target/release/connectwise-mcp target/test-deps/py-mcp2/bin/python bench/toolsets.py
"""
import json
import pathlib
import sys

import anyio

# In place of this script's own folder, whose mcp.py would shadow the SDK.
sys.path[0] = str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "python")
from harness import Sim, connect  # noqa: E402

# One typical read per tool of the toolsets added for dispatchers and accounts.
CALLS = {
    "schedule": [("cw_schedule", {"member": "dreyes", "timezone": "UTC"})],
    "service": [
        ("cw_list_ticket_tasks", {"ticket_id": 5}),
        ("cw_get_board", {"board": "Help Desk"}),
        ("cw_list_service_teams", {}),
        ("cw_list_ticket_sources", {}),
    ],
    "timesheets": [
        ("cw_ticket_time", {"ticket_id": 5}),
        ("cw_list_timesheets", {}),
        ("cw_list_work_roles", {}),
    ],
    "accounts": [
        ("cw_list_company_sites", {"company": "4"}),
        ("cw_search_invoices", {"unpaid": True}),
        ("cw_unbilled_time", {}),
    ],
    "sales": [("cw_get_agreement", {"agreement": "1"})],
    "members": [("cw_get_member", {"member": "dreyes"})],
    # A technician's day tools, and a dry run (which writes nothing), as jchen.
    "day": [("cw_whats_next", {}), ("cw_changes_since", {}), ("cw_time_gaps", {})],
    "tickets": [("cw_add_ticket_note", {"ticket_id": 5, "text": "Rebooted the print spooler; monitoring.", "dry_run": True})],
}
# Whose keys a toolset's calls use (the admin by default: invoices are refused to technicians).
MEMBER = {"day": "jchen", "tickets": "jchen"}


def compact(v) -> int:
    return len(json.dumps(v, separators=(",", ":"), ensure_ascii=False))


async def measure(sim):
    # The admin: invoices are refused to a technician's role.
    rows = []
    for ts in ["default", "psa", *CALLS]:
        env = sim.env(MEMBER.get(ts, "amorgan"), default_shape=True)
        async with connect("stdio", dict(env, CW_TOOLSETS=ts)) as s:
            tools = await s.tools()
            rows.append((f"`tools/list` with `CW_TOOLSETS={ts}`", f"{len(tools)} tools, {compact(tools):,}"))
            for name, args in CALLS.get(ts, []):
                r = await s.call(name, args)
                assert not r.is_error, (name, r.text)
                rows.append((f"`{name}` {json.dumps(args)}", f"{len(r.text.encode()):,}"))
    return rows


def main():
    sim = Sim(seed=21)
    try:
        for k, v in anyio.run(measure, sim):
            print(f"| {k} | {v} |")
    finally:
        sim.close()


if __name__ == "__main__":
    main()
