"""The tool surface as clients receive it over each transport is the one the registry
describes: the per-tool snapshots the Rust test `surface` writes from the registry
(crates/connectwise-mcp/tests/snapshots/), so there is one source of truth and no count to
keep in step by hand."""
import json
import re

from harness import ROOT, connect, run
import procs  # noqa: E402

SNAPSHOTS = ROOT / "crates" / "connectwise-mcp" / "tests" / "snapshots"
KEYS = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")


def registry() -> dict:
    """The tools as the registry snapshots record them, by name."""
    tools = {}
    for p in sorted(SNAPSHOTS.glob("surface__*.snap")):
        body = p.read_text().split("---\n", 2)[2]
        t = json.loads(body)
        tools[t["name"]] = t
    assert tools, f"no tool snapshots under {SNAPSHOTS}"
    return tools


def test_tool_surface_matches_the_registry(sim, transport):
    async def go():
        async with connect(transport, sim.env()) as s:
            return await s.tools()

    tools = run(go)
    names = [t["name"] for t in tools]
    assert names == sorted(names), "tools are listed in a stable order"
    want = registry()
    assert names == sorted(want)
    for t in tools:
        got = {k: t.get(k) for k in KEYS}
        assert got == {k: want[t["name"]].get(k) for k in KEYS}, t["name"]


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
    reads = sorted(n for n, t in registry().items() if t["annotations"].get("readOnlyHint"))
    assert reads and [t["name"] for t in tools] == reads
    assert refused, "a write tool is neither listed nor callable"
    assert not [q for q in sim.requests() if q["method"] != "GET"]


# A technician's everyday tools, offered by default; the rest are one CW_TOOLSETS away.
EVERYDAY = {"cw_my_tickets", "cw_search_tickets", "cw_get_ticket", "cw_list_ticket_notes", "cw_create_ticket",
            "cw_update_ticket", "cw_add_ticket_note", "cw_close_ticket", "cw_whats_next", "cw_changes_since", "cw_create_time_entry",
            "cw_list_my_time", "cw_search_time_entries", "cw_time_gaps", "cw_search_companies", "cw_get_company",
            "cw_search_contacts", "cw_get_contact", "cw_list_configurations", "cw_get_configuration"}


def test_the_default_shape_is_everyday_tools_with_text_results(sim, transport):
    async def go():
        async with connect(transport, sim.env(default_shape=True)) as s:
            tools = await s.tools()
            mine = await s.call("cw_my_tickets", {"page_size": 3})
            off = await s.call("cw_search_projects", {})
            return tools, mine, off

    tools, mine, off = run(go)
    want = registry()
    assert {t["name"] for t in tools} == EVERYDAY
    for t in tools:
        # No output schema is listed, and nothing else differs from the registry.
        assert "outputSchema" not in t
        assert {k: t.get(k) for k in KEYS if k != "outputSchema"} == {k: want[t["name"]].get(k) for k in KEYS if k != "outputSchema"}
    assert len(json.dumps({"tools": tools}, separators=(",", ":")).encode()) < 10_000
    # A result is its text, with no structured copy for a client to hand the model twice.
    assert not mine.is_error and mine.structured is None
    assert mine.text.startswith("My tickets:") and len(re.findall(r"^#\d+ \[", mine.text, re.M)) == 3
    # A tool whose toolset is off says how to turn it on.
    assert off.is_error and "CW_TOOLSETS" in off.text and "`projects`" in off.text


def test_transport_and_port_come_from_the_environment_like_seed_000(sim):
    import re
    import subprocess

    from harness import BIN
    env = {**sim.env(), "TRANSPORT": "http", "PORT": "0"}
    p = procs.spawn([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
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
        procs.stop(p)


def test_http_refuses_a_public_bind_without_authentication(sim):
    import subprocess

    from harness import BIN
    r = subprocess.run([BIN, "--transport", "http", "--bind", "0.0.0.0", "--port", "0"], env=sim.env(), capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "refusing" in r.stderr and "loopback" in r.stderr
