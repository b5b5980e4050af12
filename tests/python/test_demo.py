"""The one-command demo a newcomer runs: over HTTP it prints the endpoint, client snippets and
things to try; over stdio it serves a desktop client. Both act on the embedded tenant."""
import re
import subprocess

from harness import BIN, V2, mine, run
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def test_demo_over_http_prints_what_a_newcomer_needs():
    p = subprocess.Popen([BIN, "demo", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = ""
        for line in p.stdout:
            banner += line
            if "Ctrl-C" in line:
                break
        url = re.search(r"(http://127\.0\.0\.1:\d+/mcp)", banner).group(1)
        assert "claude mcp add --transport http connectwise " + url in banner
        assert "inspector" in banner and '"args": ["demo", "--stdio"]' in banner
        assert len(re.findall(r"^\d\. ", banner, re.M)) == 3
        ticket = re.search(r"ticket #(\d+)", banner).group(1)
        import urllib.request
        with urllib.request.urlopen(url.replace("/mcp", "/health")) as r:
            assert b'"ok"' in r.read()
        assert ticket
    finally:
        p.kill()
        p.wait()


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
    structured = res.structured_content if V2 else res.structuredContent
    assert structured["tickets"] and all(mine(t) for t in structured["tickets"])
