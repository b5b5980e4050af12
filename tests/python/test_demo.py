"""The one-command demo a newcomer runs: over HTTP it prints the endpoint, client snippets that
work as printed, the simulator's address, and three things to try, each of which really does
something; over stdio it serves a desktop client. Both act on the embedded tenant."""
import json
import os
import re
import subprocess
import urllib.request
from datetime import datetime, timezone

from harness import BIN, V2, Session, run
import procs  # noqa: E402
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

if V2:
    from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client
else:
    from mcp.client.streamable_http import streamablehttp_client


def banner_of(p) -> str:
    banner = ""
    for line in p.stdout:
        banner += line
        if "Ctrl-C" in line:
            return banner
    raise AssertionError(f"the demo stopped before its banner was complete:\n{banner}")


async def http_session(url, fn):
    if V2:
        async with create_mcp_http_client() as http:
            async with streamable_http_client(url, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1]) as s:
                    await s.discover()
                    return await fn(Session(s))
    async with streamablehttp_client(url) as (r, w, _):
        async with ClientSession(r, w) as s:
            await s.initialize()
            return await fn(Session(s))


def test_demo_over_http_prints_what_a_newcomer_needs_and_every_suggestion_works():
    p = procs.spawn([BIN, "demo", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = banner_of(p)
        url = re.search(r"(http://127\.0\.0\.1:\d+/mcp)", banner).group(1)
        assert "claude mcp add --transport http connectwise " + url in banner
        assert "inspector" in banner
        # The desktop snippet names this very binary, which exists and runs.
        desktop = json.loads(re.search(r"Claude Desktop:\s+(\{.*\})", banner).group(1))
        cmd = desktop["mcpServers"]["connectwise"]["command"]
        assert os.path.samefile(cmd, BIN) and desktop["mcpServers"]["connectwise"]["args"] == ["demo", "--stdio"]
        # The simulator's address is printed, and its request log answers there.
        site = re.search(r"Simulated ConnectWise API:\s+(http://127\.0\.0\.1:\d+)", banner).group(1)
        with urllib.request.urlopen(f"{site}/__sim/requests") as r:
            assert isinstance(json.loads(r.read()), list)
        with urllib.request.urlopen(url.replace("/mcp", "/health")) as r:
            assert b'"ok"' in r.read()
        suggestions = re.findall(r"^\d\. .*$", banner, re.M)
        assert len(suggestions) == 3
        ticket = int(re.search(r"ticket #(\d+)", banner).group(1))
        assert f"#{ticket}" in suggestions[2]

        start = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

        async def try_them(s):
            queue = await s.call("cw_my_tickets", {})
            detail = await s.call("cw_get_ticket", {"ticket_id": ticket})
            note = await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": "Rebooted the server."})
            status = await s.call("cw_update_ticket", {"ticket_id": ticket, "status": "In Progress"})
            time = await s.call("cw_create_time_entry", {"ticket_id": ticket, "start": start, "duration_minutes": 30})
            return queue, detail, note, status, time

        queue, detail, note, status, time = run(http_session, url, try_them)
        for r in (queue, detail, note, status, time):
            assert not r.is_error, r.text
        # The demo serves the default shape: text results, which is what these read.
        # 1. My queue: my tickets only.
        rows = re.findall(r"^#\d+ \[.*$", queue.text, re.M)
        assert queue.text.startswith("My tickets:") and rows, queue.text
        assert all(re.search(r"\(.*owner jchen|\bwith [^()]*\bjchen\b", r) for r in rows), rows
        # 2. The ticket with its notes, not yet In Progress, so the third suggestion changes it.
        assert detail.text.startswith(f"Ticket #{ticket}:") and "Notes (newest first" in detail.text
        assert "/ In Progress ·" not in detail.text, detail.text
        # 3. Each part of the third did something.
        assert note.text.startswith("Added an internal note") and "not visible to the customer" in note.text, note.text
        assert status.text.startswith(f"Updated ticket #{ticket}: status:") and "→ In Progress" in status.text, status.text
        assert time.text.startswith(f"Logged 0.50 h as jchen on ticket #{ticket}"), time.text
    finally:
        procs.stop(p)


def test_demo_over_stdio_serves_a_desktop_client():
    async def go():
        async with stdio_client(StdioServerParameters(command=BIN, args=["demo", "--stdio"])) as (r, w):
            async with ClientSession(r, w) as s:
                if V2:
                    await s.discover()
                else:
                    await s.initialize()
                res = await s.call_tool("cw_my_tickets", {"page_size": 3})
                return res

    res = run(go)
    text = res.content[0].text
    assert text.startswith("My tickets:") and len(re.findall(r"^#\d+ \[", text, re.M)) == 3, text


def test_a_port_already_in_use_says_which_flag_picks_another():
    first = procs.spawn([BIN, "demo", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", banner_of(first)).group(1)
        second = subprocess.run([BIN, "demo", "--port", port], capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert "already in use" in second.stderr and "--port" in second.stderr, second.stderr
    finally:
        procs.stop(first)
