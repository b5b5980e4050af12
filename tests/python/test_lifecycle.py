"""The server's life as an operator sees it, with the real binary: SIGTERM (what `docker stop`
and Kubernetes send) stops it like Ctrl-C, letting a write in flight finish, and it exits 0;
a `kill -9` between sending a write and hearing ConnectWise's answer does not make the re-send
after the restart write it again (the write journal, in CW_MCP_STATE_DIR)."""
import json
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from harness import BIN, connect, run
import procs  # noqa: E402

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def start(env: dict) -> tuple[subprocess.Popen, str]:
    p = procs.spawn([BIN, "--transport", "http", "--port", "0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        m = re.search(r"MCP endpoint: (http://\S+/mcp)", line)
        if m:
            threading.Thread(target=p.stderr.read, daemon=True).start()
            return p, m.group(1)
    raise AssertionError("the server did not report its endpoint")


def call(url: str, tool: str, args: dict, timeout: float = 30):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=HEADERS)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())["result"]


def text(result: dict) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []))


def mine(sim) -> int:
    return sim.api("/service/tickets", {"conditions": 'owner/identifier = "jchen" and closedFlag = false', "pageSize": 1})[0]["id"]


def notes(sim, tid: int) -> list:
    return sim.api(f"/service/tickets/{tid}/notes", {"pageSize": 1000})


def test_sigterm_lets_a_write_in_flight_finish_and_exits_0(sim, tmp_path):
    tid = mine(sim)
    before = len(notes(sim, tid))
    p, url = start({**sim.env(), "CW_MCP_STATE_DIR": str(tmp_path)})
    sim.fault(method="POST", path="/service/tickets/*/notes", kind="late_commit", ms=1500, times=1)
    answer = {}
    t = threading.Thread(target=lambda: answer.update(r=call(url, "cw_add_ticket_note", {"ticket_id": tid, "text": "Written during shutdown."})))
    t.start()
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    t.join(20)
    assert p.wait(20) == 0, "SIGTERM is a clean stop"
    assert "r" in answer and not answer["r"].get("isError"), answer
    assert len(notes(sim, tid)) == before + 1
    assert procs.members(p.pid) == [], "nothing of it is left running"


def test_sigterm_stops_a_stdio_server_too(sim):
    p = procs.spawn([BIN], env=sim.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0


def test_a_crash_after_connectwise_saved_a_note_does_not_write_it_again_after_the_restart(sim, tmp_path):
    tid = mine(sim)
    before = len(notes(sim, tid))
    env = {**sim.env(), "CW_MCP_STATE_DIR": str(tmp_path)}
    p, url = start(env)
    args = {"ticket_id": tid, "text": "Replaced the power supply."}
    # ConnectWise saves it 2 s after it is sent; the server is killed before it can answer.
    sim.fault(method="POST", path="/service/tickets/*/notes", kind="late_commit", ms=2000, times=1)
    threading.Thread(target=lambda: _ignore(lambda: call(url, "cw_add_ticket_note", args, timeout=10)), daemon=True).start()
    time.sleep(0.7)
    procs.kill(p)
    time.sleep(2.0)
    assert len(notes(sim, tid)) == before + 1, "ConnectWise saved it"
    # The client re-sends to the restarted server: answered with that note, not a second one.
    p, url = start(env)
    try:
        r = call(url, "cw_add_ticket_note", args)
        assert not r.get("isError"), text(r)
        assert "Already done" in text(r) and "found in ConnectWise" in text(r), text(r)
        assert len(notes(sim, tid)) == before + 1, "written once"
        assert len([q for q in sim.requests() if q["method"] == "POST"]) == 1
    finally:
        procs.stop(p)


def _ignore(fn):
    try:
        fn()
    except (OSError, urllib.error.URLError):
        pass


def test_the_stdio_server_answers_as_before_after_the_journal_is_in_place(sim, tmp_path):
    # A plain stdio session with a journal directory works as any other (and creates it 0700).
    state = tmp_path / "state"

    async def go():
        async with connect("stdio", {**sim.env(), "CW_MCP_STATE_DIR": str(state)}) as s:
            return await s.call("cw_add_ticket_note", {"ticket_id": mine(sim), "text": "Hello."})

    r = run(go)
    assert not r.is_error, r.text
    assert (state / "journal.sqlite3").exists()
    assert (state.stat().st_mode & 0o777) == 0o700
