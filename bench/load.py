#!/usr/bin/env python3
"""Load benchmark: the MCP server over HTTP against the simulator, beside the simulator alone.

    cargo build --release && python3 bench/load.py      # needs wrk (apt-get install wrk)

One machine runs wrk, the server and the simulator, so absolute figures depend on it; the
ratios (MCP calls/s and p50 latency against raw simulator requests in the same run) are what
to compare between commits. The mix is cw_my_tickets, cw_get_ticket and cw_search_companies
in turn; the raw mix is one comparable ConnectWise GET for each. Bounded: loopback only, a
few seconds per run. Prints Markdown for BENCHMARKS.md.
"""
import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("CW_MCP_BIN", str(ROOT / "target" / "release" / "connectwise-mcp"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "10"))

LUA = r"""
local bodies = {BODIES}
local headers = {HEADERS}
local i = 0
request = function()
  i = i + 1
  local b = bodies[(i % #bodies) + 1]
  return wrk.format(b[1], b[2], headers, b[3])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local f = math.floor
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, f(latency:percentile(50)), f(latency:percentile(99))))
end
"""


def lua_string(s):
    return "[==[" + s + "]==]"


def wrk(url, connections, seconds, requests, headers):
    bodies = "{" + ",".join("{%s,%s,%s}" % (lua_string(m), lua_string(p), lua_string(b) if b else "nil") for m, p, b in requests) + "}"
    hs = "{" + ",".join("[ %s ]=%s" % (lua_string(k), lua_string(v)) for k, v in headers.items()) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA.replace("{BODIES}", bodies).replace("{HEADERS}", hs))
    run = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", f.name, url],
                         capture_output=True, text=True, check=True)
    os.unlink(f.name)
    found = re.search(r"RESULT (.*)", run.stdout)
    if not found:
        sys.exit(f"wrk did not report:\n{run.stdout}\n{run.stderr}")
    n, dur, errors, status_errors, p50, p99 = map(int, found.group(1).split())
    return {"rps": n / (dur / 1e6), "errors": errors, "non2xx": status_errors, "p50_ms": p50 / 1000, "p99_ms": p99 / 1000, "n": n}


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sim_seq(site):
    with urllib.request.urlopen(f"{site}/__sim/requests") as r:
        log = json.loads(r.read())
    return log[-1]["seq"] if log else 0


def main():
    procs = []
    try:
        run(procs)
    finally:
        for p in procs:
            p.kill()


def run(procs):
    if not shutil.which("wrk"):
        sys.exit("bench/load.py needs wrk: apt-get install wrk")
    sim = subprocess.Popen([BIN, "sim", "--port", "0", "--seed", "21"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(sim)
    creds = json.loads(sim.stdout.readline())
    jchen = next(m for m in creds["members"] if m["identifier"] == "jchen")
    env = {"PATH": os.environ["PATH"], "CW_SITE": creds["site"], "CW_COMPANY_ID": creds["companyId"], "CW_CLIENT_ID": creds["clientId"],
           "CW_PUBLIC_KEY": jchen["publicKey"], "CW_PRIVATE_KEY": jchen["privateKey"], "CW_MEMBER_IDENTIFIER": "jchen",
           # wrk's 200 connections all come from this one address: as many as the total may.
           "MCP_MAX_CONNECTIONS_PER_ADDRESS": "512"}
    def start_server(extra):
        server = subprocess.Popen([BIN, "--transport", "http", "--port", "0"], env={**env, **extra}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        procs.append(server)
        url = next(m.group(1) for line in server.stderr if (m := re.search(r"MCP endpoint: (http://\S+/mcp)", line)))
        procs.append(subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL))  # keep its stderr drained
        return server, url

    def call(name, args):
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": args}})

    tickets = [3, 17, 42, 58, 101, 150, 222, 301]
    mix = [("POST", "/mcp", call("cw_my_tickets", {}))]
    for t in tickets:
        mix += [("POST", "/mcp", call("cw_get_ticket", {"ticket_id": t})), ("POST", "/mcp", call("cw_search_companies", {"text": "a"})),
                ("POST", "/mcp", call("cw_my_tickets", {}))]
    mcp_headers = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}
    server, url = start_server({})
    for _, _, body in mix[:4]:
        req = urllib.request.Request(url, data=body.encode(), method="POST", headers=mcp_headers)
        with urllib.request.urlopen(req) as r:
            assert '"isError":true' not in r.read().decode(), body

    base = creds["apiBase"].split(creds["site"], 1)[1]
    auth = base64.b64encode(f"harborview+{jchen['publicKey']}:{jchen['privateKey']}".encode()).decode()
    raw_headers = {"authorization": f"Basic {auth}", "clientId": creds["clientId"]}
    q = urllib.parse.quote
    companies = q('name contains "a"')
    mine = q('owner/identifier = "jchen" and closedFlag = false')
    raw = []
    for t in tickets:
        raw += [("GET", f"{base}/service/tickets/{t}", None),
                ("GET", f"{base}/company/companies?conditions={companies}&pageSize=20", None),
                ("GET", f"{base}/service/tickets?conditions={mine}&pageSize=11", None)]

    rows, heavy_rows = [], []
    # With the default read cache (2 s), and with none: every call asks ConnectWise.
    for label, extra in (("2 s (default)", {}), ("off", {"CW_READ_CACHE_SECS": "0"})):
        if extra:
            server.kill()
            server, url = start_server(extra)
        wrk(url, 10, 2, mix, mcp_headers)  # warm-up
        seq0 = sim_seq(creds["site"])
        m = wrk(url, 50, SECONDS, mix, mcp_headers)
        upstream = (sim_seq(creds["site"]) - seq0) / m["n"]
        r = wrk(creds["site"], 50, SECONDS, raw, raw_headers)
        rows.append((label, m, r, upstream))
        # 200 clients, with the server's memory sampled every second of the run.
        samples, stop = [], threading.Event()
        def sample(pid=server.pid):
            while not stop.wait(1.0):
                samples.append(rss_mib(pid))
        t = threading.Thread(target=sample)
        t.start()
        heavy = wrk(url, 200, SECONDS * 2, mix, mcp_headers)
        stop.set()
        t.join()
        warm = samples[2:] or samples
        heavy_rows.append((label, heavy, min(warm), max(warm), rss_mib(server.pid)))

    print(f"Mix over {SECONDS} s per run (wrk, 2 threads, loopback; server, simulator and wrk share the machine):\n")
    print("| read cache | MCP calls/s (50 clients) | raw simulator req/s | ratio | MCP p50 ms | raw p50 ms | p50 ratio | upstream requests per call | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for c, m, r, up in rows:
        print(f"| {c} | {m['rps']:,.0f} | {r['rps']:,.0f} | {m['rps'] / r['rps']:.2f} | {m['p50_ms']:.1f} | {r['p50_ms']:.1f} | "
              f"{m['p50_ms'] / max(r['p50_ms'], 0.001):.1f}× | {up:.2f} | {m['errors'] + m['non2xx']} |")
    print(f"\n200 clients for {SECONDS * 2} s each; server resident memory sampled every second after the first two:\n")
    print("| read cache | MCP calls/s (200 clients) | p99 ms | errors | RSS min–max during the run | RSS after |")
    print("|---|---|---|---|---|---|")
    for c, h, lo, hi, end in heavy_rows:
        print(f"| {c} | {h['rps']:,.0f} | {h['p99_ms']:.0f} | {h['errors'] + h['non2xx']} | {lo:.1f}–{hi:.1f} MiB | {end:.1f} MiB |")


if __name__ == "__main__":
    main()
