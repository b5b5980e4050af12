#!/usr/bin/env python3
"""Throughput through a load balancer: the load mix (bench/load.py's: cw_my_tickets,
cw_get_ticket, cw_search_companies in turn) sent by wrk through nginx to two replicas sharing
Redis, and to one replica behind the same nginx, against one simulator, all on loopback.

Run: scripts/test-deps && cargo build --release && apt-get install wrk &&
     CW_MCP_BIN=target/release/connectwise-mcp target/test-deps/py-mcp2/bin/python bench/scale.py
(`LOAD_SECONDS` sets each run's length, 60 by default; `LOAD_CLIENTS` the connections, 200.)
"""
import importlib.util
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
# In place of this script's own folder, whose mcp.py would shadow the SDK.
sys.path[0] = str(ROOT / "tests" / "scale")
from cluster import EDITOR, HEADERS, Cluster, Nginx  # noqa: E402

spec = importlib.util.spec_from_file_location("load", ROOT / "bench" / "load.py")
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "200"))


def main():
    c = Cluster()
    one = None
    try:
        def call(name, args):
            return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": args}})

        tickets = [t["id"] for t in c.sim.api("/service/tickets", {"pageSize": 8, "conditions": "closedFlag = false"})]
        mix = [("POST", "/mcp", call("cw_my_tickets", {}))]
        for t in tickets:
            mix += [("POST", "/mcp", call("cw_get_ticket", {"ticket_id": t})), ("POST", "/mcp", call("cw_search_companies", {"text": "a"})),
                    ("POST", "/mcp", call("cw_my_tickets", {}))]
        headers = {**HEADERS, "authorization": f"Bearer {EDITOR}"}
        (c.dir / "one").mkdir()
        one = Nginx(c.dir / "one", [c.replicas[0].port])
        rows = []
        for label, base in (("1 replica", one.base), ("2 replicas", c.nginx.base)):
            load.wrk(f"{base}/mcp", 20, 3, mix, headers)  # warm-up
            r = load.wrk(f"{base}/mcp", CLIENTS, SECONDS, mix, headers)
            rows.append((label, r))
        print(f"{CLIENTS} clients for {SECONDS} s through nginx (wrk, 2 threads; nginx, the replicas, Redis, the simulator and wrk share the machine):\n")
        print("| behind nginx | MCP calls/s | p50 ms | p99 ms | failed calls (connection errors, non-2xx) |")
        print("|---|---|---|---|---|")
        for label, r in rows:
            print(f"| {label} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.0f} | {r['errors'] + r['non2xx']} |")
        print(f"\nratio, two replicas against one: {rows[1][1]['rps'] / rows[0][1]['rps']:.2f}")
    finally:
        if one:
            one.stop()
        c.close()


if __name__ == "__main__":
    main()
