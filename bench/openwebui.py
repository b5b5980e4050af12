#!/usr/bin/env python3
"""What a model receives through OpenWebUI, per step of the technician day, measured with
OpenWebUI 0.12.4's own client code (native MCP, the OpenAPI tool server, the Tool file) next
to a plain MCP client. Needs the OpenWebUI test environment that `scripts/test-deps` builds:

    cargo build --release && scripts/test-deps && target/test-deps/py-owui/bin/python bench/openwebui.py

Prints Markdown for BENCHMARKS.md. Each surface runs against its own fresh simulated tenant
from the same seed, so each sees the same records."""
import asyncio
import importlib.util
import json
import os
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
# This directory holds bench/mcp.py, which would shadow the `mcp` package OpenWebUI imports.
sys.path = [str(ROOT / "tests" / "openwebui"), str(ROOT / "tests" / "python")] + [p for p in sys.path if pathlib.Path(p or ".").resolve() != ROOT / "bench"]
os.environ.setdefault("CW_MCP_BIN", str(ROOT / "target" / "release" / "connectwise-mcp"))

import owui  # noqa: E402
from harness import Sim, server_http, session_at  # noqa: E402

STEPS = ["my open tickets", "ticket detail", "internal note", "status change by name", "log 30 minutes", "my time today"]


def tool_file():
    spec = importlib.util.spec_from_file_location("connectwise_tools", ROOT / "integrations" / "openwebui" / "connectwise_tools.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Tools()


async def day(call):
    """Runs the day through `call(name, args) -> text the model receives`; returns each step's text."""
    out = [await call("cw_my_tickets", {})]
    tid = int(next(m for m in re.finditer(r"#(\d+) \[Help Desk / (.*?)\]", out[0]) if m.group(2) != "In Progress").group(1)) \
        if not out[0].lstrip().startswith("{") else \
        next(t["id"] for t in json.loads(out[0])["tickets"] if t["board"] == "Help Desk" and t["status"] != "In Progress")
    out.append(await call("cw_get_ticket", {"ticket_id": tid}))
    out.append(await call("cw_add_ticket_note", {"ticket_id": tid, "text": "Rebooted the print spooler."}))
    out.append(await call("cw_update_ticket", {"ticket_id": tid, "status": "In Progress"}))
    out.append(await call("cw_create_time_entry", {"ticket_id": tid, "duration_minutes": 30, "notes": "Spooler"}))
    out.append(await call("cw_list_my_time", {}))
    return out


async def surface(name, extra_env, run):
    sim = Sim(seed=21)
    try:
        env = {**sim.env(default_shape=True), **extra_env}
        async with server_http(env) as url:
            return name, await run(url)
    finally:
        sim.close()


async def plain(url):
    async with session_at(url) as s:
        async def call(n, a):
            return (await s.call(n, a)).text
        return await day(call)


async def native(url):
    c = owui.MCPClient()
    await c.connect(url)
    try:
        async def call(n, a):
            return await owui.model_text_mcp(n, await c.call_tool(n, a))
        return await day(call)
    finally:
        await c.disconnect()


async def openapi(url):
    root = url.removesuffix("/mcp")
    doc = await owui.get_tool_server_data(f"{root}/openapi.json", {})
    server = {"url": root, "openapi": doc}

    async def call(n, a):
        return await owui.model_text_openapi(n, await owui.execute_tool_server(root, {"Content-Type": "application/json"}, {}, n, a, server))
    return await day(call)


async def definitions(toolsets):
    """Characters of the tool definitions the model is given, per way in."""
    sim = Sim(seed=21)
    try:
        async with server_http({**sim.env(default_shape=True), **toolsets}) as url:
            root = url.removesuffix("/mcp")
            c = owui.MCPClient()
            await c.connect(url)
            try:
                native_specs = await c.list_tool_specs()
            finally:
                await c.disconnect()
            doc = await owui.get_tool_server_data(f"{root}/openapi.json", {})
            sizes = {"native MCP": native_specs, "OpenAPI tool server": owui.convert_openapi_to_tool_payload(doc)}
            if toolsets.get("CW_TOOLSETS") == "psa":
                sizes["Tool file"] = owui.get_tool_specs(tool_file())
            return len(native_specs), {k: len(json.dumps(v)) for k, v in sizes.items()}
    finally:
        sim.close()


async def main():
    runs = [
        await surface("plain MCP client (Python SDK), text results", {}, plain),
        await surface("OpenWebUI native MCP, text results (default)", {}, native),
        await surface("OpenWebUI native MCP, `MCP_STRUCTURED_CONTENT=1`", {"MCP_STRUCTURED_CONTENT": "1"}, native),
        await surface("OpenWebUI OpenAPI tool server (and the Tool file, which calls it)", {}, openapi),
    ]
    print("| step | " + " | ".join(name for name, _ in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for i, step in enumerate(STEPS):
        print(f"| {step} | " + " | ".join(f"{len(texts[i]):,}" for _, texts in runs) + " |")
    print("| **the day** | " + " | ".join(f"**{sum(len(t) for t in texts):,}**" for _, texts in runs) + " |")
    print()
    print("| tools offered | native MCP | OpenAPI tool server | Tool file |")
    print("|---|---:|---:|---:|")
    for label, ts in (("default toolsets", {}), ("every PSA tool (`CW_TOOLSETS=psa`)", {"CW_TOOLSETS": "psa"})):
        n, sizes = await definitions(ts)
        print(f"| {label}: {n} tools | {sizes['native MCP']:,} | {sizes['OpenAPI tool server']:,} | {sizes.get('Tool file', 0):,} |".replace("| 0 |", "| (all tools) |"))


asyncio.run(main())
