#!/usr/bin/env python3
"""ConnectWise Home: how long the browser takes to start and log in, what one primitive costs,
and the memory of the server with and without its browser. Against the fake portal the tests
use, over HTTP with the MCP Python SDK:

    cargo build --release && scripts/test-deps && target/test-deps/py-mcp2/bin/python bench/home.py

Prints Markdown for BENCHMARKS.md."""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
# bench/mcp.py would shadow the `mcp` package.
sys.path = [str(ROOT / "tests" / "home"), str(ROOT / "tests" / "python")] + [p for p in sys.path if pathlib.Path(p or ".").resolve() != ROOT / "bench"]
os.environ.setdefault("CW_MCP_BIN", str(ROOT / "target" / "release" / "connectwise-mcp"))

import anyio  # noqa: E402
import fake_portal  # noqa: E402
from harness import Sim  # noqa: E402
from test_home import home_env, server  # noqa: E402


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kib(pid):
    """Proportional set size: shared pages (Chromium's processes share most) counted once overall."""
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_pss_kib(pid):
    """The process and all its descendants (Chromium runs several)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children = {}
    for line in out.splitlines():
        p, pp = map(int, line.split())
        children.setdefault(pp, []).append(p)
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += pss_kib(p)
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


async def main():
    sim, portal = Sim(), fake_portal.FakePortal()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cw-home-bench-"))
    try:
        env = home_env(sim, portal, tmp / "cfg")
        env["RUST_LOG"] = "warn,connectwise_mcp=info"
        async with server(env, tmp / "server.log") as (s, proc):
            await s.tools()
            idle = rss_kib(proc.pid)
            t = time.perf_counter()
            await s.call("cw_home_login")
            first_login = time.perf_counter() - t
            lat = []
            for _ in range(10):
                t = time.perf_counter()
                r = await s.call("cw_home_snapshot", {"max_nodes": 100})
                assert not r.is_error, r.text
                lat.append((time.perf_counter() - t) * 1000)
            clicks = []
            for _ in range(10):
                t = time.perf_counter()
                await s.call("cw_home_eval", {"expression": "document.title"})
                clicks.append((time.perf_counter() - t) * 1000)
            server_with = rss_kib(proc.pid)
            tree_with = tree_pss_kib(proc.pid)
        async with server(env, tmp / "server.log") as (s, proc):
            t = time.perf_counter()
            await s.call("cw_home_login")
            restored = time.perf_counter() - t
    finally:
        portal.close()
        sim.close()
    print("| measure | value |")
    print("|---|---|")
    print(f"| first `cw_home_login`: browser start + e-mail, password, TOTP, trust | {first_login * 1000:,.0f} ms |")
    print(f"| `cw_home_login` after a restart: browser start + restored session (silent SSO) | {restored * 1000:,.0f} ms |")
    print(f"| `cw_home_snapshot` (100 nodes), median of 10 | {statistics.median(lat):.0f} ms |")
    print(f"| `cw_home_eval` (`document.title`), median of 10 | {statistics.median(clicks):.0f} ms |")
    print(f"| server resident memory, Home offered, browser not started | {idle / 1024:.1f} MiB |")
    print(f"| server resident memory with the browser running | {server_with / 1024:.1f} MiB |")
    print(f"| server and all Chromium processes together (proportional set size) | {tree_with / 1024:.0f} MiB |")


anyio.run(main)
