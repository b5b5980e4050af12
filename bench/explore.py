#!/usr/bin/env python3
"""Bytes of the `explore` toolset (cw_find_endpoint, cw_get) a model pays for: its tool list
next to the default one, and the text of one find and one read, through the MCP Python SDK
over stdio against the simulated tenant (default shape: text results, no output schemas).

Run: scripts/test-deps && cargo build --release &&
     CW_MCP_BIN=target/release/connectwise-mcp target/test-deps/py-mcp2/bin/python bench/explore.py
"""
import json
import pathlib
import sys

import anyio

# In place of this script's own folder, whose mcp.py would shadow the SDK.
sys.path[0] = str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "python")
from harness import Sim, connect  # noqa: E402


def compact(v) -> int:
    return len(json.dumps(v, separators=(",", ":"), ensure_ascii=False))


async def measure(sim):
    env = sim.env(default_shape=True)
    out = {}
    for ts in ["default", "explore"]:
        async with connect("stdio", dict(env, CW_TOOLSETS=ts)) as s:
            tools = await s.tools()
            out[f"tools/list {ts}"] = f"{len(tools)} tools, {compact(tools):,} bytes"
            if ts == "explore":
                found = await s.call("cw_find_endpoint", {"query": "company sites"})
                got = await s.call("cw_get", {"path": "/company/companies/4/sites", "fields": "id,name,city,phoneNumber"})
                out["cw_find_endpoint 'company sites' text"] = f"{len(found.text):,} bytes"
                out["cw_get a company's sites (4 fields) text"] = f"{len(got.text):,} bytes"
    return out


def main():
    sim = Sim(seed=21)
    try:
        for k, v in anyio.run(measure, sim).items():
            print(f"| {k} | {v} |")
    finally:
        sim.close()


if __name__ == "__main__":
    main()
