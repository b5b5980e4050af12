"""OpenWebUI all three ways, driven by OpenWebUI 0.12.4's own client code: native MCP (its
MCPClient), an OpenAPI tool server (its document conversion, call execution and result
handling), and the paste-in Tool file; plus seed 001's bridge, CORS, and the served OpenAPI
documents validated and fuzzed per role."""
import importlib.util
import json
import pathlib
import re
import subprocess
import sys
import urllib.error
import urllib.request

import anyio
import pytest
from openapi_spec_validator import validate

import owui
from harness import BIN, ROOT, server_http

VIEWER = "viewer-token-0123456789abcdefghijklmnopqrstuvwxyz"
EDITOR = "editor-token-0123456789abcdefghijklmnopqrstuvwxyz"
ADMIN = "admin-token-0123456789abcdefghijklmnopqrstuvwxyzAB"
ROLES = {"viewer": VIEWER, "editor": EDITOR, "admin": ADMIN}
TOOL_FILE = ROOT / "integrations" / "openwebui" / "connectwise_tools.py"


def with_tokens(sim, **extra):
    """The product's default result shape (text), every tool, and a token per role."""
    env = sim.env(default_shape=True)
    env.update({"MCP_TOKENS_VIEWER": f"vera:{VIEWER}", "MCP_TOKENS_EDITOR": f"eddie:{EDITOR}", "MCP_TOKENS_ADMIN": f"ada:{ADMIN}", "CW_TOOLSETS": "psa"})
    env.update(extra)
    return env


def base(url):
    return url.removesuffix("/mcp")


def http(method, url, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def bearer(token):
    return {"authorization": f"Bearer {token}"}


def role_tools(url):
    """Each role's tool names, and whether each writes, from the MCP list (the reference)."""
    out = {}
    for role, token in ROLES.items():
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        _, _, text = http("POST", url, body, {**bearer(token), "content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"})
        out[role] = {t["name"] for t in json.loads(text)["result"]["tools"]}
    return out


def test_native_mcp_through_openwebuis_client_lists_by_role_and_hands_the_model_each_result_once(sim):
    """OpenWebUI appends structuredContent as another text block unless a text block already
    is that JSON: in both result shapes the model gets the result once."""
    async def go():
        out = {}
        for shape, extra in (("text", {}), ("structured", {"MCP_STRUCTURED_CONTENT": "1"})):
            async with server_http(with_tokens(sim, **extra)) as url:
                for role, token in ROLES.items():
                    c = owui.MCPClient()
                    await c.connect(url, headers=bearer(token))
                    try:
                        specs = await c.list_tool_specs()
                        out[(shape, role)] = {s["name"] for s in specs}
                        if role == "viewer":
                            blocks = await c.call_tool("cw_my_tickets", {"page_size": 3})
                            out[(shape, "blocks")] = blocks
                            out[(shape, "model")] = await owui.model_text_mcp("cw_my_tickets", blocks)
                    finally:
                        await c.disconnect()
                out[(shape, "reference")] = role_tools(url)
        return out

    o = anyio.run(go)
    for shape in ("text", "structured"):
        ref = o[(shape, "reference")]
        for role in ROLES:
            assert o[(shape, role)] == ref[role], (shape, role)
        assert ref["viewer"] < ref["editor"] <= ref["admin"]
        blocks = o[(shape, "blocks")]
        assert len(blocks) == 1, f"{shape}: the result reached the model {len(blocks)} times"
    assert o[("text", "model")].startswith("My tickets:")
    assert json.loads(o[("structured", "blocks")][0]["text"])["tickets"]


def test_openapi_tool_server_through_openwebuis_own_conversion_and_calls(sim):
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        out = {}
        async with server_http(with_tokens(sim)) as url:
            root = base(url)
            ref = role_tools(url)
            for role, token in ROLES.items():
                doc = await owui.get_tool_server_data(f"{root}/openapi.json", bearer(token))
                out[(role, "doc")] = doc
                out[(role, "specs")] = owui.convert_openapi_to_tool_payload(doc)
            server = {"url": root, "openapi": out[("editor", "doc")]}
            call = lambda name, params, token=EDITOR: owui.execute_tool_server(root, {**bearer(token), "Content-Type": "application/json"}, {}, name, params, server)  # noqa: E731
            mine = await call("cw_my_tickets", {"page_size": 3})
            out["mine"] = await owui.model_text_openapi("cw_my_tickets", mine)
            out["priorities"] = await owui.model_text_openapi("cw_list_priorities", await call("cw_list_priorities", {}))
            sim.clear()
            note = await call("cw_add_ticket_note", {"ticket_id": ticket, "text": "Checked from OpenWebUI"})
            out["note"] = (await owui.model_text_openapi("cw_add_ticket_note", note), [r for r in sim.requests() if r["method"] == "POST"])
            out["invalid"] = await call("cw_get_ticket", {"ticket_id": -3})
            out["viewer write"] = await call("cw_add_ticket_note", {"ticket_id": ticket, "text": "x"}, VIEWER)
            out["ref"] = ref
        return out

    o = anyio.run(go)
    for role in ROLES:
        specs = o[(role, "specs")]
        assert {s["name"] for s in specs} == o["ref"][role], role
        assert all(s["description"] for s in specs)
        validate(o[(role, "doc")])  # OpenAPI 3.1, as served to that role
    note_spec = next(s for s in o[("editor", "specs")] if s["name"] == "cw_add_ticket_note")
    assert set(note_spec["parameters"]["required"]) == {"ticket_id", "text"}
    assert o["mine"].startswith("My tickets:\n#"), o["mine"][:80]
    assert o["priorities"].strip() and not o["priorities"].lstrip().startswith("{")
    text, posts = o["note"]
    assert len(posts) == 1 and text.startswith("Added an internal note #"), text
    assert o["invalid"][0]["error"].startswith("HTTP error 422:") and "positive" in o["invalid"][0]["error"]
    assert o["viewer write"][0]["error"].startswith("HTTP error 404:")


def test_each_served_document_is_valid_openapi_and_lists_exactly_that_roles_tools(sim):
    async def go():
        async with server_http(with_tokens(sim)) as url:
            docs = {role: json.loads(http("GET", f"{base(url)}/openapi.json", headers=bearer(t))[2]) for role, t in ROLES.items()}
            return docs, role_tools(url), http("GET", f"{base(url)}/openapi.json")

    docs, ref, anonymous = anyio.run(go)
    for role, doc in docs.items():
        validate(doc)
        assert doc["openapi"].startswith("3.1")
        assert {op["operationId"] for p in doc["paths"].values() for op in p.values()} == ref[role]
        assert doc["security"] == [{"bearer": []}]
    assert anonymous[0] == 401 and "bearer" in anonymous[1]["www-authenticate"].lower()


@pytest.mark.parametrize("role", list(ROLES))
def test_fuzzing_the_served_document_finds_no_server_error_and_no_undocumented_answer(sim, role, tmp_path):
    """Schemathesis generates calls from each role's document: no 5xx, and every answer
    matches what the document says (status, content type, schema)."""
    async def go():
        async with server_http(with_tokens(sim, MCP_RATE_LIMIT="off")) as url:
            schema = tmp_path / "openapi.json"
            schema.write_text(http("GET", f"{base(url)}/openapi.json", headers=bearer(ROLES[role]))[2])
            st = pathlib.Path(sys.executable).with_name("st")
            return subprocess.run(
                [str(st), "run", str(schema), "--url", base(url), "--header", f"Authorization: Bearer {ROLES[role]}",
                 "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                 "--max-examples", "12", "--seed", "7", "--workers", "2", "--no-color"],
                capture_output=True, text=True, timeout=600)

    r = anyio.run(go)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_every_seed_001_tool_name_through_the_bridge(sim):
    company = sim.api("/company/companies", {"orderBy": "id", "pageSize": 1})[0]
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = true", "orderBy": "id", "pageSize": 1})[0]
    contact = sim.api("/company/contacts", {"orderBy": "id", "pageSize": 1})[0]
    args = {
        "get_company": {"company_id": company["id"]},
        "get_ticket": {"ticket_id": ticket["id"]},
        "get_ticket_notes": {"ticket_id": ticket["id"], "page_size": 5},
        "get_contact": {"contact_id": contact["id"]},
    }
    names = ["get_companies", "get_company", "get_tickets", "get_ticket", "get_ticket_notes", "get_contacts", "get_contact",
             "get_opportunities", "get_agreements", "get_time_entries", "get_projects", "get_activities", "get_members"]

    async def go():
        out = {}
        async with server_http(with_tokens(sim)) as url:
            ex = f"{base(url)}/v1/tools/execute"
            for n in names:
                for name in (n, "connectwise_" + n):
                    out[name] = http("POST", ex, {"tool_name": name, "arguments": args.get(n, {"pageSize": 2})}, bearer(VIEWER))
            # Raw conditions and paging, as seed 001's README shows them.
            out["conditions"] = http("POST", ex, {"tool_name": "connectwise_get_tickets", "arguments": {"conditions": f"id = {ticket['id']}", "pageSize": 5}}, {**bearer(VIEWER), "accept": "application/json"})
            out["page2"] = http("POST", ex, {"tool_name": "get_companies", "arguments": {"order_by": "id", "page": 2, "page_size": 2}}, {**bearer(VIEWER), "accept": "application/json"})
            out["ours"] = http("POST", ex, {"tool_name": "cw_list_priorities", "arguments": {}}, bearer(VIEWER))
            out["unknown"] = http("POST", ex, {"tool_name": "connectwise_delete_company", "arguments": {}}, bearer(VIEWER))
            out["write as viewer"] = http("POST", ex, {"tool_name": "cw_add_ticket_note", "arguments": {"ticket_id": ticket["id"], "text": "x"}}, bearer(VIEWER))
            out["no token"] = http("POST", ex, {"tool_name": "get_tickets", "arguments": {}})
            out["health"] = json.loads(http("GET", f"{base(url)}/health")[2])
        return out

    o = anyio.run(go)
    for n in names:
        for name in (n, "connectwise_" + n):
            status, _, body = o[name]
            assert status == 200 and body.strip(), (name, status, body[:300])
    assert company["name"] in o["get_company"][2]
    assert f"#{ticket['id']}" in o["get_ticket"][2]
    assert contact["firstName"] in o["get_contact"][2]
    status, _, body = o["conditions"]
    found = json.loads(body)
    assert status == 200 and [t["id"] for t in found["tickets"]] == [ticket["id"]], "a closed ticket, found by raw conditions"
    page2 = [c["id"] for c in json.loads(o["page2"][2])["companies"]]
    assert page2 == [c["id"] for c in sim.api("/company/companies", {"orderBy": "id", "page": 2, "pageSize": 2})]
    assert o["ours"][0] == 200
    assert o["unknown"][0] == 404 and "detail" in json.loads(o["unknown"][2])
    assert o["write as viewer"][0] == 404
    assert o["no token"][0] == 401
    assert o["health"]["status"] == "ok" and o["health"]["service"]


def test_cors_lets_listed_browser_origins_in_and_keeps_others_out(sim):
    async def go():
        async with server_http(with_tokens(sim, MCP_ALLOWED_ORIGINS="https://owui.example.com")) as url:
            pre = {"access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type"}
            ok = http("OPTIONS", f"{base(url)}/tools/cw_list_priorities", headers={"origin": "https://owui.example.com", **pre})
            evil = http("OPTIONS", f"{base(url)}/tools/cw_list_priorities", headers={"origin": "https://evil.example", **pre})
            sim.clear()
            call = http("POST", f"{base(url)}/tools/cw_list_priorities", b"", {"origin": "https://owui.example.com", **bearer(VIEWER)})
            evil_call = http("POST", f"{base(url)}/tools/cw_list_priorities", b"", {"origin": "https://evil.example", **bearer(VIEWER)})
            return ok, evil, call, evil_call, len(sim.requests())

    ok, evil, call, evil_call, upstream = anyio.run(go)
    assert ok[0] == 204 and ok[1]["access-control-allow-origin"] == "https://owui.example.com"
    assert "authorization" in ok[1]["access-control-allow-headers"] and "POST" in ok[1]["access-control-allow-methods"]
    assert evil[0] == 403 and "access-control-allow-origin" not in evil[1]
    assert call[0] == 200 and call[1]["access-control-allow-origin"] == "https://owui.example.com"
    assert evil_call[0] == 403
    assert upstream >= 1


def load_tool_file():
    spec = importlib.util.spec_from_file_location("connectwise_tools", TOOL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tool_file_loads_in_openwebui_and_works_with_per_user_keys(sim):
    tech = sim.member("psharma")
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        out = {}
        async with server_http(with_tokens(sim)) as url:
            root = base(url)
            _, _, doc = http("GET", f"{root}/openapi.json", headers=bearer(ADMIN))
            out["admin tools"] = {op["operationId"] for p in json.loads(doc)["paths"].values() for op in p.values()}
            module = load_tool_file()
            tools = module.Tools()
            tools.valves = tools.Valves(server_url=root, token=EDITOR)
            out["specs"] = owui.get_tool_specs(tools)
            out["mine"] = await tools.cw_my_tickets(page_size=2)
            user = {"valves": tools.UserValves(cw_public_key=tech["publicKey"], cw_private_key=tech["privateKey"], cw_member_id="psharma")}
            sim.clear()
            out["note"] = await tools.cw_add_ticket_note(ticket_id=ticket, text="Added from the Tool file", __user__=user)
            out["writers"] = [r["member"] for r in sim.requests() if r["method"] == "POST"]
            out["bad"] = await tools.cw_get_ticket(ticket_id=-1)
            tools.valves = tools.Valves(server_url=root, token="wrong-token-0123456789abcdefghijklmnopq")
            out["wrong token"] = await tools.cw_list_priorities()
            tools.valves = tools.Valves(server_url="http://127.0.0.1:9", token=EDITOR)
            out["down"] = await tools.cw_list_priorities()
        return out

    o = anyio.run(go)
    names = {s["name"] for s in o["specs"]}
    assert names == o["admin tools"], "one Tool method per tool the server offers"
    spec = next(s for s in o["specs"] if s["name"] == "cw_add_ticket_note")
    assert set(spec["parameters"]["required"]) == {"ticket_id", "text"}
    assert "__user__" not in spec["parameters"]["properties"]
    assert o["mine"].startswith("My tickets:")
    assert o["writers"] == ["psharma"], "the note was written with the user's own keys"
    assert o["bad"].startswith("Error 422:") and "positive" in o["bad"]
    assert o["wrong token"].startswith("Error 401:")
    assert o["down"].startswith("Error: cannot reach")


def test_the_tool_file_in_the_repository_is_what_the_generator_writes(sim, tmp_path):
    async def go():
        async with server_http(with_tokens(sim)) as url:
            doc = tmp_path / "openapi.json"
            doc.write_text(http("GET", f"{base(url)}/openapi.json", headers=bearer(ADMIN))[2])
            return subprocess.run([sys.executable, str(TOOL_FILE.with_name("generate.py")), str(doc)], capture_output=True, text=True, timeout=60)

    gen = anyio.run(go)
    assert gen.returncode == 0, gen.stderr
    assert gen.stdout == TOOL_FILE.read_text(), "regenerate: python3 integrations/openwebui/generate.py <admin's /openapi.json> > integrations/openwebui/connectwise_tools.py"
