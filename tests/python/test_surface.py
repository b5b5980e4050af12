"""The tool surface as clients see it: names, descriptions, schemas and annotations, checked
against the snapshot in tests/snapshots/tools.json (update on purpose with UPDATE_SNAPSHOTS=1)."""
import json
import os

from harness import ROOT, connect, run

SNAPSHOT = ROOT / "tests" / "snapshots" / "tools.json"


def test_tool_surface_matches_snapshot(sim, transport):
    async def go():
        async with connect(transport, sim.env()) as s:
            return await s.tools()

    tools = run(go)
    names = [t["name"] for t in tools]
    assert names == sorted(names), "tools are listed in a stable order"
    assert len(tools) == 24
    for t in tools:
        a = t["annotations"]
        for hint in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
            assert isinstance(a.get(hint), bool), f"{t['name']} declares {hint}"
        assert t["outputSchema"]["type"] == "object", t["name"]
        assert t["inputSchema"]["type"] == "object", t["name"]
        assert len(t["description"]) > 40, t["name"]
        for prop, spec in t["inputSchema"].get("properties", {}).items():
            assert spec.get("description"), f"{t['name']}.{prop} has a description"
    surface = {t["name"]: {k: t[k] for k in ("title", "description", "inputSchema", "outputSchema", "annotations")} for t in tools}
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(surface, indent=1, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), "no snapshot yet: run once with UPDATE_SNAPSHOTS=1"
    assert surface == json.loads(SNAPSHOT.read_text()), "the tool surface changed: review it, then update with UPDATE_SNAPSHOTS=1"


def test_read_only_offers_only_read_tools(sim):
    async def go():
        async with connect("stdio", sim.env(), ["--read-only"]) as s:
            tools = await s.tools()
            try:
                r = await s.call("cw_add_ticket_note", {"ticket_id": 1, "text": "x"})
                refused = r.is_error and "not found" in r.text
            except Exception as e:  # an unknown tool is a protocol error, which the SDK raises
                refused = "not found" in repr(e)
            return tools, refused

    tools, refused = run(go)
    assert len(tools) == 20
    assert all(t["annotations"]["readOnlyHint"] for t in tools)
    assert refused, "a write tool is neither listed nor callable"
    assert not [q for q in sim.requests() if q["method"] != "GET"]


def test_transport_and_port_come_from_the_environment_like_seed_000(sim):
    import re
    import subprocess

    from harness import BIN
    env = {**sim.env(), "TRANSPORT": "http", "PORT": "0"}
    p = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in p.stderr:
            m = re.search(r"MCP endpoint: (http://127\.0\.0\.1:\d+/mcp)", line)
            if m:
                url = m.group(1)
                break
        assert url
        import urllib.request
        with urllib.request.urlopen(url.replace("/mcp", "/health")) as r:
            assert r.status == 200
    finally:
        p.kill()
        p.wait()


def test_http_refuses_a_public_bind_without_authentication(sim):
    import subprocess

    from harness import BIN
    r = subprocess.run([BIN, "--transport", "http", "--bind", "0.0.0.0", "--port", "0"], env=sim.env(), capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "refusing" in r.stderr and "loopback" in r.stderr
