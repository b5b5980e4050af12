"""Drives the real connectwise-mcp binary against the real simulator with the official MCP
Python SDK, whichever generation is installed (1.x, as OpenWebUI pins, or 2.x)."""
from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

import procs

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("CW_MCP_BIN", str(ROOT / "target" / "release" / "connectwise-mcp"))
SDK = version("mcp")
V2 = int(SDK.split(".")[0]) >= 2

if V2:
    from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client
else:
    from mcp.client.streamable_http import streamablehttp_client


class Sim:
    """A running `connectwise-mcp sim` with its credentials and `/__sim/` hooks."""

    def __init__(self, seed: int = 11):
        self.proc = procs.spawn([BIN, "sim", "--port", "0", "--seed", str(seed)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.creds = json.loads(self.proc.stdout.readline())
        self.site = self.creds["site"]
        # Each tenant's servers keep their write journal apart from every other run's.
        self.state = tempfile.mkdtemp(prefix="cwmcp-state-")

    def member(self, ident: str) -> dict:
        return next(m for m in self.creds["members"] if m["identifier"] == ident)

    def env(self, ident: str = "jchen", with_member: bool = True, default_shape: bool = False) -> dict:
        """The server's environment. Tests read structured results with every tool on, as a
        program would; `default_shape` leaves the defaults (text results, everyday tools)."""
        m = self.member(ident)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "CW_SITE": self.site,
            "CW_COMPANY_ID": self.creds["companyId"],
            "CW_CLIENT_ID": self.creds["clientId"],
            "CW_PUBLIC_KEY": m["publicKey"],
            "CW_PRIVATE_KEY": m["privateKey"],
            "RUST_LOG": "info",
            "MCP_STRUCTURED_CONTENT": "1",
            "CW_TOOLSETS": "psa",
            "CW_MCP_STATE_DIR": self.state,
        }
        if with_member:
            env["CW_MEMBER_IDENTIFIER"] = ident
        if default_shape:
            del env["MCP_STRUCTURED_CONTENT"], env["CW_TOOLSETS"]
        return env

    def _ctl(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.site}/__sim/{path}", data=data, method=method, headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def requests(self) -> list[dict]:
        return self._ctl("GET", "requests")

    def clear(self):
        self._ctl("DELETE", "requests")

    def fault(self, **f):
        self._ctl("POST", "faults", f)

    def outbox(self) -> list:
        return self._ctl("GET", "outbox")

    def config(self, **c):
        self._ctl("POST", "config", c)

    def api(self, path: str, params: dict | None = None, member: str = "amorgan"):
        """A direct ConnectWise API GET, to check the tenant's state."""
        m = self.member(member)
        auth = base64.b64encode(f"harborview+{m['publicKey']}:{m['privateKey']}".encode()).decode()
        url = f"{self.creds['apiBase']}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, headers={"authorization": f"Basic {auth}", "clientId": self.creds["clientId"]})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def write(self, method: str, path: str, body, member: str = "amorgan"):
        """A direct ConnectWise API write, to build the tenant's state (a customer's reply)."""
        m = self.member(member)
        auth = base64.b64encode(f"harborview+{m['publicKey']}:{m['privateKey']}".encode()).decode()
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.creds['apiBase']}{path}", data=data, method=method,
                                     headers={"authorization": f"Basic {auth}", "clientId": self.creds["clientId"], "content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def set(self, kind: str, id: int, **fields):
        """Sets fields no API caller may write (an SLA state, when a record was entered)."""
        self._ctl("POST", "records", {"kind": kind, "id": id, "set": fields})

    def close(self):
        procs.stop(self.proc)
        shutil.rmtree(self.state, ignore_errors=True)


@dataclass
class Result:
    is_error: bool
    structured: dict | None
    text: str


class Session:
    def __init__(self, s: ClientSession, started=None):
        self.s = s
        # What the server declared (its capabilities), from initialize or discover.
        self.started = started

    async def tools(self) -> list[dict]:
        r = await self.s.list_tools()
        return [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in r.tools]

    async def call(self, name: str, args: dict | None = None, progress=None) -> Result:
        """Calls a tool; `progress(done, total, message)` receives the server's progress
        notifications for this call when given (the SDK then sends a progress token)."""
        r = await self.s.call_tool(name, args or {}, progress_callback=progress)
        if V2:
            return Result(bool(r.is_error), r.structured_content, "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text"))
        return Result(bool(r.isError), r.structuredContent, "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text"))


@asynccontextmanager
async def server_http(env: dict, args: list[str] | None = None):
    proc = procs.spawn([BIN, "--transport", "http", "--port", "0", *(args or [])], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:
            m = re.search(r"MCP endpoint: (http://\S+/mcp)", line)
            if m:
                url = m.group(1)
                break
        assert url, "the HTTP server did not report its endpoint"
        # Keep reading its log, or a chatty server blocks once the pipe is full.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        yield url
    finally:
        procs.stop(proc)


@asynccontextmanager
async def connect(transport: str, env: dict, args: list[str] | None = None, headers: dict | None = None):
    """An initialised MCP session to the binary over `transport` (stdio or http); `headers`
    go with every HTTP request (a bearer token, BYOK keys)."""
    if transport == "stdio":
        params = StdioServerParameters(command=BIN, args=args or [], env=env)
        async with stdio_client(params) as (r, w):
            async with ClientSession(r, w) as s:
                yield Session(s, await _start(s))
        return
    async with server_http(env, args) as url:
        async with session_at(url, headers) as s:
            yield s


@asynccontextmanager
async def session_at(url: str, headers: dict | None = None):
    """An initialised MCP session to a running HTTP server."""
    if V2:
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(url, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1]) as s:
                    yield Session(s, await _start(s))
    else:
        async with streamablehttp_client(url, headers=headers) as (r, w, _):
            async with ClientSession(r, w) as s:
                yield Session(s, await _start(s))


async def _start(s: ClientSession):
    # 2.x speaks the stateless 2026-07-28 era (discover); 1.x the initialize era.
    if V2:
        return await s.discover()
    return await s.initialize()


def expect_refusals(env: dict, cases: list) -> None:
    """Calls each `(tool, args, expected text)` in one stdio session and checks that each is
    refused with a message containing the expected text."""
    async def go():
        async with connect("stdio", env) as s:
            return [await s.call(name, args) for name, args, _ in cases]

    for (name, args, expect), r in zip(cases, run(go)):
        assert r.is_error and expect in r.text, (name, args, r.text)


def mine(ticket: dict, me: str = "jchen") -> bool:
    """A ticket is mine when I own it or am one of its resources."""
    return ticket.get("owner") == me or me in [r.strip() for r in ticket.get("resources", "").split(",")]


def run(fn, *a):
    return anyio.run(fn, *a)
