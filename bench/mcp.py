#!/usr/bin/env python3
"""Benchmarks of the MCP server, with nothing but the standard library and the release binary.

    cargo build --release && python3 bench/mcp.py

Prints Markdown for BENCHMARKS.md: cold start to first tools/list over stdio, resident memory
idle, bytes of tools/list, and for each step of a technician's day the upstream ConnectWise
requests and bytes (from the simulator's request log) and the bytes the tool returned.
"""
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("CW_MCP_BIN", str(ROOT / "target" / "release" / "connectwise-mcp"))


def start_sim():
    p = subprocess.Popen([BIN, "sim", "--port", "0", "--seed", "21"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p, json.loads(p.stdout.readline())


def env_for(creds, member="jchen"):
    m = next(x for x in creds["members"] if x["identifier"] == member)
    return {"PATH": os.environ["PATH"], "CW_SITE": creds["site"], "CW_COMPANY_ID": creds["companyId"], "CW_CLIENT_ID": creds["clientId"],
            "CW_PUBLIC_KEY": m["publicKey"], "CW_PRIVATE_KEY": m["privateKey"], "CW_MEMBER_IDENTIFIER": member, "RUST_LOG": "warn"}


class Stdio:
    """A minimal JSON-RPC client over the server's stdio (legacy initialize era)."""

    def __init__(self, env):
        self.p = subprocess.Popen([BIN], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.n = 0

    def request(self, method, params=None):
        self.n += 1
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params or {}}) + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            msg = json.loads(line)
            if msg.get("id") == self.n:
                return msg, len(line.encode())

    def notify(self, method):
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}) + "\n")
        self.p.stdin.flush()

    def init(self):
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}})
        self.notify("notifications/initialized")

    def close(self):
        self.p.kill()
        self.p.wait()


def ctl(creds, method, path):
    req = urllib.request.Request(f"{creds['site']}/__sim/{path}", method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    sim, creds = start_sim()
    env = env_for(creds)
    rows = []
    # Cold start to first tools/list over stdio.
    starts, list_bytes = [], 0
    for _ in range(15):
        t = time.perf_counter()
        c = Stdio(env)
        c.init()
        _, list_bytes = c.request("tools/list")
        starts.append((time.perf_counter() - t) * 1000)
        c.close()
    rows.append(("cold start → first tools/list (stdio, 15 runs)", f"median {statistics.median(starts):.1f} ms, max {max(starts):.1f} ms"))
    # The floor on this machine: the same binary started and finished with nothing to do, so
    # start-up can be read as exec cost plus ours.
    floor = []
    for _ in range(15):
        t = time.perf_counter()
        subprocess.run([BIN, "--version"], stdout=subprocess.DEVNULL, check=True)
        floor.append((time.perf_counter() - t) * 1000)
    rows.append(("floor: `connectwise-mcp --version` (15 runs)", f"median {statistics.median(floor):.1f} ms"))
        # Idle resident memory: stdio after tools/list, and the HTTP server after start.
    c = Stdio(env)
    c.init()
    c.request("tools/list")
    time.sleep(0.5)
    rows.append(("resident memory, stdio server idle after tools/list", f"{rss_kib(c.p.pid) / 1024:.1f} MiB"))
    c.close()
    h = subprocess.Popen([BIN, "--transport", "http", "--port", "0"], env={**env, "RUST_LOG": "info"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in h.stderr:
        if re.search(r"MCP endpoint", line):
            break
    time.sleep(0.5)
    rows.append(("resident memory, HTTP server idle", f"{rss_kib(h.pid) / 1024:.1f} MiB"))
    h.kill()
    h.wait()

    days = {shape: day(creds, {**env, **extra}) for shape, extra in SHAPES.items()}
    sim.kill()

    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    for shape, (list_bytes, steps) in days.items():
        print(f"\nTechnician day over stdio, {shape} (demo tenant, seed 21); `tools/list` {list_bytes:,} bytes:\n")
        print("| step | tool | upstream requests | upstream bytes | text bytes | JSON-RPC bytes | wall ms |\n|---|---|---|---|---|---|---|")
        for label, name, n, ub, tb, mb, ms, _ in steps:
            print(f"| {label} | `{name}` | {n} | {ub:,} | {tb:,} | {mb:,} | {ms:.1f} |")
        print(f"| **the day** | | {sum(x[2] for x in steps)} | {sum(x[3] for x in steps):,} | {sum(x[4] for x in steps):,} | {sum(x[5] for x in steps):,} | |")
    if "--show" in sys.argv:
        for label, name, *_, text in days["default shape"][1]:
            print(f"\n--- {label} ({name})\n{text}")


# The shapes a deployment can choose: the default (text results, everyday toolsets), and what
# a program consuming structured results with every tool would use.
SHAPES = {
    "default shape": {},
    "text results, all PSA toolsets": {"CW_TOOLSETS": "psa"},
    "structured results, all PSA toolsets": {"MCP_STRUCTURED_CONTENT": "1", "CW_TOOLSETS": "psa"},
}


def day(creds, env):
    """The six-step technician day; returns the tools/list size and each step's costs."""
    c = Stdio(env)
    c.init()
    _, list_bytes = c.request("tools/list")
    steps = []

    def step(label, name, args):
        ctl(creds, "DELETE", "requests")
        t = time.perf_counter()
        msg, nbytes = c.request("tools/call", {"name": name, "arguments": args})
        ms = (time.perf_counter() - t) * 1000
        log = ctl(creds, "GET", "requests")
        result = msg["result"]
        assert not result.get("isError"), result
        text = "\n".join(b["text"] for b in result["content"] if b["type"] == "text")
        steps.append((label, name, len(log), sum(r["response_bytes"] for r in log), len(text.encode()), nbytes, ms, text))
        return text

    mine = step("my open tickets", "cw_my_tickets", {})
    # A Help Desk ticket that is not yet In Progress, so the status change changes something.
    if mine.startswith("{"):
        tid = next(t["id"] for t in json.loads(mine)["tickets"] if t["board"] == "Help Desk" and t["status"] != "In Progress")
    else:
        tid = int(next(m for m in re.finditer(r"#(\d+) \[Help Desk / (.*?)\]", mine) if m.group(2) != "In Progress").group(1))
    step("ticket detail", "cw_get_ticket", {"ticket_id": tid})
    step("internal note", "cw_add_ticket_note", {"ticket_id": tid, "text": "Rebooted the print spooler."})
    step("status change by name", "cw_update_ticket", {"ticket_id": tid, "status": "In Progress"})
    step("log 30 minutes", "cw_create_time_entry", {"ticket_id": tid, "duration_minutes": 30, "notes": "Spooler"})
    step("my time today", "cw_list_my_time", {})
    c.close()
    return list_bytes, steps


if __name__ == "__main__":
    main()
