"""Protocol edges over streamable HTTP, with raw requests as a misbehaving client would send
them: a body that is empty or not JSON is a JSON-RPC parse error (400, -32700), and what the
server answers matches the capabilities it declares (tools only, where no prompt or resource
has its tools offered)."""
import json
import urllib.error
import urllib.request

from harness import run, server_http

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def post(url, data: bytes):
    req = urllib.request.Request(url, data=data, method="POST", headers=HEADERS)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def rpc(method, params=None):
    return json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params or {}}).encode()


def test_bad_bodies_are_parse_errors_and_undeclared_methods_are_not_found(sim):
    async def go():
        async with server_http({**sim.env(), "CW_TOOLSETS": "sales"}) as url:
            init = post(url, rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}))
            return init, {
                "empty": post(url, b""),
                "not json": post(url, b"{bad"),
                "resources/list": post(url, rpc("resources/list")),
                "resources/templates/list": post(url, rpc("resources/templates/list")),
                "completion/complete": post(url, rpc("completion/complete", {"ref": {"type": "ref/prompt", "name": "x"}, "argument": {"name": "a", "value": "b"}})),
                "prompts/list": post(url, rpc("prompts/list")),
                "tools/list": post(url, rpc("tools/list")),
            }

    (status, init), got = run(go)
    assert status == 200
    assert set(init["result"]["capabilities"]) == {"tools"}, init
    for case in ("empty", "not json"):
        status, body = got[case]
        assert status == 400 and body["error"]["code"] == -32700 and body["id"] is None, (case, body)
        assert "Parse error" in body["error"]["message"]
    for method in ("resources/list", "resources/templates/list", "completion/complete", "prompts/list"):
        status, body = got[method]
        assert body["error"]["code"] == -32601, (method, body)
    status, body = got["tools/list"]
    assert status == 200 and body["result"]["tools"]
