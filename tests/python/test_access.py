"""Shared HTTP deployments, tried as an attacker would: role tokens (plaintext and digest
form), 401 with a Bearer challenge, each role seeing and calling only its tools, and start-up
refusing a bad token list without printing a token. Through the real binary and the SDK."""
import json
import re
import subprocess
import urllib.error
import urllib.request

from harness import BIN, run, server_http, session_at
import procs  # noqa: E402

VIEWER = "viewer-token-0123456789abcdefghijklmnopqrstuvwxyz"
EDITOR = "editor-token-0123456789abcdefghijklmnopqrstuvwxyz"
ADMIN = "admin-token-0123456789abcdefghijklmnopqrstuvwxyzAB"
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def with_tokens(sim, **extra):
    env = sim.env()
    env.update({"MCP_TOKENS_VIEWER": f"vera:{VIEWER}", "MCP_TOKENS_EDITOR": f"eddie:{EDITOR}", "MCP_TOKENS_ADMIN": f"ada:{ADMIN}"})
    env.update(extra)
    return env


def post(url, body, headers=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={**HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def rpc(method, params=None, id=1):
    return {"jsonrpc": "2.0", "id": id, "method": method, "params": params or {}}


INIT = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}})


def test_requests_without_a_valid_token_get_a_bearer_challenge_and_reach_nothing(sim):
    async def go():
        async with server_http(with_tokens(sim)) as url:
            sim.clear()
            none = post(url, INIT)
            wrong = post(url, INIT, {"authorization": "Bearer " + VIEWER[:-1] + "X"})
            basic = post(url, INIT, {"authorization": "Basic " + VIEWER})
            call = post(url, rpc("tools/call", {"name": "cw_add_ticket_note", "arguments": {"ticket_id": 1, "text": "x"}}))
            health = urllib.request.urlopen(url.replace("/mcp", "/health"), timeout=5).read().decode()
            ok = post(url, INIT, {"authorization": "Bearer " + VIEWER})
            return none, wrong, basic, call, health, ok

    none, wrong, basic, call, health, ok = run(go)
    for status, headers, body in (none, wrong, basic, call):
        assert status == 401, body
        challenge = {k.lower(): v for k, v in headers.items()}["www-authenticate"]
        assert challenge.startswith("Bearer "), challenge
        assert VIEWER not in body
    assert 'error="invalid_token"' in {k.lower(): v for k, v in wrong[1].items()}["www-authenticate"]
    assert "connectwise-mcp token" in none[2]
    assert not sim.requests(), "nothing reached ConnectWise"
    assert json.loads(health)["auth"] == "role tokens"
    assert ok[0] == 200, ok


def test_each_role_lists_and_calls_only_its_tools(sim):
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        seen = {}
        async with server_http(with_tokens(sim)) as url:
            for role, token in (("viewer", VIEWER), ("editor", EDITOR), ("admin", ADMIN)):
                async with session_at(url, {"authorization": f"Bearer {token}"}) as s:
                    tools = await s.tools()
                    seen[role] = {t["name"]: t.get("annotations", {}).get("readOnlyHint", False) for t in tools}
                    sim.clear()
                    try:
                        note = await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": f"{role} was here"})
                        outcome = (note.is_error, note.text)
                    except Exception as e:  # a tool outside the role is answered as unknown
                        outcome = (True, str(e))
                    seen[role + " note"] = (*outcome, [r for r in sim.requests() if r["method"] != "GET"])
            # A raw call of a write tool with a viewer's token, past the SDK.
            sim.clear()
            raw = post(url, rpc("tools/call", {"name": "cw_update_ticket", "arguments": {"ticket_id": ticket, "priority": "1"}}),
                       {"authorization": f"Bearer {VIEWER}"})
            seen["raw"] = (raw, [r for r in sim.requests() if r["method"] != "GET"])
        return seen

    seen = run(go)
    viewer, editor, admin = seen["viewer"], seen["editor"], seen["admin"]
    assert viewer and all(viewer.values()), "a viewer lists read tools only"
    assert "cw_add_ticket_note" in editor and not editor["cw_add_ticket_note"]
    assert set(viewer) < set(editor) <= set(admin)
    assert set(editor) - set(viewer) == {n for n, ro in editor.items() if not ro}
    err, text, writes = seen["viewer note"]
    assert err and "cw_add_ticket_note" in text and not writes, (text, writes)
    for role in ("editor", "admin"):
        err, text, writes = seen[role + " note"]
        assert not err and len(writes) == 1, (role, text)
    (status, _, body), writes = seen["raw"]
    assert status == 200 and not writes
    assert '"error"' in body or '"isError":true' in body, body


def test_a_minted_token_works_in_its_digest_form(sim):
    out = subprocess.run([BIN, "token", "--label", "pat", "--role", "viewer"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    token = re.search(r"Bearer (\S+)", out.stdout).group(1)
    digest_line = re.search(r"MCP_TOKENS_VIEWER=(pat:sha256:[0-9a-f]{64})", out.stdout).group(1)
    assert len(token) >= 32 and token not in digest_line

    async def go():
        env = sim.env()
        env["MCP_TOKENS_VIEWER"] = digest_line
        async with server_http(env) as url:
            async with session_at(url, {"authorization": f"Bearer {token}"}) as s:
                return await s.call("cw_list_priorities", {})

    r = run(go)
    assert not r.is_error, r.text


def test_a_bad_token_list_stops_start_up_naming_the_label_only(sim):
    short = "tooshort123"
    for value, expect in ((f"bob:{short}", '"bob" is too short'),
                          (f"bob:{EDITOR},carol:{EDITOR}", '"carol" has the same token as "bob"'),
                          ("bob:sha256:1234", '"bob" is not a SHA-256 digest')):
        env = sim.env()
        env["MCP_TOKENS_EDITOR"] = value
        out = subprocess.run([BIN, "--transport", "http", "--port", "0"], env=env, capture_output=True, text=True, timeout=30)
        assert out.returncode != 0
        assert expect in out.stderr, out.stderr
        assert short not in out.stderr + out.stdout and EDITOR not in out.stderr + out.stdout


def keys_of(sim, ident):
    m = sim.member(ident)
    return {"x-cw-public-key": m["publicKey"], "x-cw-private-key": m["privateKey"], "x-cw-member-id": ident}


def test_own_keys_attribute_notes_and_time_to_the_technician(sim):
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        env = with_tokens(sim, **{k: v for k, v in sim.env("apisync").items() if k.startswith("CW_")})
        writers = {}
        async with server_http(env) as url:
            for who, headers in (("psharma", {"authorization": f"Bearer {EDITOR}", **keys_of(sim, "psharma")}),
                                 ("server", {"authorization": f"Bearer {EDITOR}"})):
                async with session_at(url, headers) as s:
                    sim.clear()
                    note = await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": f"checked by {who}"})
                    time = await s.call("cw_create_time_entry", {"ticket_id": ticket, "duration_minutes": 15})
                    mine = await s.call("cw_my_tickets", {"page_size": 1})
                    assert not note.is_error and not time.is_error and not mine.is_error, (note.text, time.text, mine.text)
                    writers[who] = sorted({r["member"] for r in sim.requests() if r["method"] == "POST"})
                    writers[who + " my"] = mine.structured["conditions"]
        return writers

    w = run(go)
    assert w["psharma"] == ["psharma"], "the technician's own keys wrote both"
    assert w["server"] == ["apisync"], "token-only calls use the server's keys"
    assert "psharma" in w["psharma my"] and "apisync" in w["server my"], "my tools are the keys' member's"


def test_client_keys_are_checked_and_follow_CLIENT_CW_KEYS(sim):
    good = keys_of(sim, "psharma")
    secret = good["x-cw-private-key"]

    async def go():
        out = {}
        env = with_tokens(sim)
        async with server_http(env) as url:
            auth = {"authorization": f"Bearer {EDITOR}"}
            out["bad charset"] = post(url, INIT, {**auth, **good, "x-cw-public-key": "not a key!"})
            out["half"] = post(url, INIT, {**auth, "x-cw-private-key": secret})
            out["bad member"] = post(url, INIT, {**auth, **good, "x-cw-member-id": "a b"})
            out["keys, no token"] = post(url, INIT, good)
        async with server_http({**env, "CLIENT_CW_KEYS": "disabled"}) as url:
            out["disabled"] = post(url, INIT, {"authorization": f"Bearer {EDITOR}", **good})
        async with server_http({**env, "CLIENT_CW_KEYS": "open"}) as url:
            out["open, keys"] = post(url, INIT, good)
            out["open, nothing"] = post(url, INIT)
        bare = {k: v for k, v in env.items() if k not in ("CW_PUBLIC_KEY", "CW_PRIVATE_KEY", "CW_MEMBER_IDENTIFIER")}
        async with server_http(bare) as url:
            async with session_at(url, {"authorization": f"Bearer {VIEWER}"}) as s:
                out["no keys anywhere"] = await s.call("cw_list_priorities", {})
        return out

    o = run(go)
    for case, name in (("bad charset", "x-cw-public-key"), ("half", "x-cw-public-key"), ("bad member", "x-cw-member-id")):
        status, _, body = o[case]
        assert status == 400 and name in body, (case, body)
        assert secret not in body and "not a key!" not in body
    assert o["keys, no token"][0] == 401, "keys need a token by default"
    assert o["disabled"][0] == 400 and "CLIENT_CW_KEYS=disabled" in o["disabled"][2]
    assert o["open, keys"][0] == 200 and o["open, nothing"][0] == 401
    r = o["no keys anywhere"]
    assert r.is_error and "x-cw-public-key" in r.text, r.text


def test_audit_trail_and_logs_hold_no_secret_and_no_note_text(sim, tmp_path):
    """A whole shared-deployment scenario at RUST_LOG=trace, with recognisable token, key and
    note values: the audit trail has one redacted line per call, and no secret or note text
    appears in it, in stdout or stderr, or in any result."""
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]
    keys = keys_of(sim, "psharma")
    note_text = "NOTE-TEXT-CANARY the customer's VPN password is hunter2"
    trail = tmp_path / "audit.jsonl"
    err_path = tmp_path / "stderr.log"
    env = with_tokens(sim, MCP_AUDIT_LOG=str(trail), RUST_LOG="trace")
    results = []

    async def go():
        with open(err_path, "w") as err:
            proc = procs.spawn([BIN, "--transport", "http", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=err, text=True)
            try:
                url = None
                for _ in range(200):
                    m = re.search(r"MCP endpoint: (http://\S+/mcp)", err_path.read_text())
                    if m:
                        url = m.group(1)
                        break
                    await __import__("anyio").sleep(0.05)
                assert url, "the server did not start"
                async with session_at(url, {"authorization": f"Bearer {EDITOR}", **keys}) as s:
                    results.append(await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": note_text}))
                    results.append(await s.call("cw_get_ticket", {"ticket_id": ticket}))
                    results.append(await s.call("cw_search_tickets", {"text": "printer"}))
                results.append(post(url, INIT, {"authorization": "Bearer " + VIEWER + "x"}))
            finally:
                procs.stop(proc)
                out = proc.stdout.read()
        return out

    stdout = run(go)
    lines = [json.loads(l) for l in trail.read_text().splitlines()]
    assert [l["tool"] for l in lines] == ["cw_add_ticket_note", "cw_get_ticket", "cw_search_tickets"]
    first = lines[0]
    assert first["principal"] == "eddie" and first["role"] == "editor" and first["member"] == "psharma"
    assert first["outcome"] == "ok" and first["upstream_requests"] >= 1 and first["upstream_status"] == 201
    assert first["arguments"]["ticket_id"] == ticket
    assert first["arguments"]["text"] == f"[redacted: {len(note_text)} chars]"
    assert len(first["key_fingerprint"]) == 16
    assert (trail.stat().st_mode & 0o777) == 0o600
    everything = trail.read_text() + err_path.read_text() + stdout
    for secret in (EDITOR, VIEWER, keys["x-cw-public-key"], keys["x-cw-private-key"], "hunter2", "NOTE-TEXT-CANARY"):
        assert secret not in everything, f"{secret[:6]}… leaked"
    assert "tool call" in err_path.read_text(), "the scenario was logged"


def test_customer_contact_follows_MCP_CUSTOMER_CONTACT_and_writes_nothing_when_refused(sim):
    ticket = sim.api("/service/tickets", {"conditions": "closedFlag = false", "pageSize": 1})[0]["id"]

    async def go():
        out = {}
        async with server_http(with_tokens(sim, MCP_CUSTOMER_CONTACT="admin")) as url:
            for role, token in (("editor", EDITOR), ("admin", ADMIN)):
                async with session_at(url, {"authorization": f"Bearer {token}"}) as s:
                    for case, args in (("notify", {"notify": True}), ("discussion", {"visibility": "discussion"}),
                                       ("internal", {})):
                        sim.clear()
                        before = len(sim.outbox())
                        r = await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": f"{role} {case}", **args})
                        posts = [q for q in sim.requests() if q["method"] == "POST"]
                        out[(role, case)] = (r.is_error, r.text, len(posts), len(sim.outbox()) - before)
        async with server_http(with_tokens(sim, MCP_CUSTOMER_CONTACT="never")) as url:
            async with session_at(url, {"authorization": f"Bearer {ADMIN}"}) as s:
                r = await s.call("cw_add_ticket_note", {"ticket_id": ticket, "text": "never", "notify": True})
                out["never"] = (r.is_error, r.text)
        return out

    o = run(go)
    for case in ("notify", "discussion"):
        err, text, posts, mails = o[("editor", case)]
        assert err and "MCP_CUSTOMER_CONTACT=admin" in text and posts == 0 and mails == 0, (case, text)
    err, _, posts, _ = o[("editor", "internal")]
    assert not err and posts == 1, "internal notes stay open to editors"
    err, text, posts, mails = o[("admin", "notify")]
    assert not err and posts == 1 and mails == 1, text
    assert not o[("admin", "discussion")][0]
    err, text = o["never"]
    assert err and "MCP_CUSTOMER_CONTACT=never" in text


def test_foreign_origins_and_oversize_bodies_are_refused_before_anything_runs(sim):
    async def go():
        out = {}
        auth = {"authorization": f"Bearer {VIEWER}"}
        async with server_http(with_tokens(sim)) as url:
            sim.clear()
            out["evil origin"] = post(url, INIT, {**auth, "origin": "https://evil.example"})
            out["local origin"] = post(url, INIT, {**auth, "origin": "http://localhost:6274"})
            big = rpc("tools/call", {"name": "cw_search_tickets", "arguments": {"text": "x" * (300 * 1024)}})
            out["big"] = post(url, big, auth)
            out["requests"] = sim.requests()
        async with server_http(with_tokens(sim, MCP_ALLOWED_ORIGINS="https://owui.example.com:443")) as url:
            out["listed origin"] = post(url, INIT, {**auth, "origin": "https://owui.example.com"})
            out["unlisted local"] = post(url, INIT, {**auth, "origin": "http://localhost:6274"})
        async with server_http(sim.env()) as url:  # dev mode keeps Host checks
            out["dev evil host"] = post(url, INIT, {"host": "evil.example"})
        return out

    o = run(go)
    assert o["evil origin"][0] == 403, o["evil origin"]
    assert o["local origin"][0] == 200
    assert o["big"][0] == 413
    assert not o["requests"], "nothing reached ConnectWise"
    assert o["listed origin"][0] == 200 and o["unlisted local"][0] == 403
    assert o["dev evil host"][0] == 403


def test_every_role_against_every_tool(sim):
    """The whole matrix: each role lists exactly its tier of every tool, and a raw call of
    each tool outside it is refused as unknown with nothing written."""
    env = with_tokens(sim, CW_TOOLSETS="psa")

    async def go():
        out = {}
        async with server_http(env) as url:
            for role, token in (("viewer", VIEWER), ("editor", EDITOR), ("admin", ADMIN)):
                async with session_at(url, {"authorization": f"Bearer {token}"}) as s:
                    out[role] = {t["name"]: t.get("annotations", {}).get("readOnlyHint", False) for t in await s.tools()}
            every = sorted(out["admin"])
            for role, token in (("viewer", VIEWER), ("editor", EDITOR)):
                for name in every:
                    sim.clear()
                    status, _, body = post(url, rpc("tools/call", {"name": name, "arguments": {}}), {"authorization": f"Bearer {token}"})
                    writes = [r for r in sim.requests() if r["method"] != "GET"]
                    out[(role, name)] = (status, json.loads(body), writes)
        return out

    o = run(go)
    admin = o["admin"]
    assert len(admin) >= 24
    assert set(o["viewer"]) == {n for n, ro in admin.items() if ro}, "a viewer lists every read tool and nothing else"
    assert set(o["editor"]) == set(admin), "an editor lists every non-admin tool (no admin-only toolset is enabled)"
    for (role, name), (status, body, writes) in ((k, v) for k, v in o.items() if isinstance(k, tuple)):
        assert status == 200 and not writes, (role, name, writes)
        listed = name in o[role]
        refused = "error" in body and name in body["error"]["message"]
        assert refused != listed, (role, name, body)


def test_a_client_can_narrow_its_tools_with_x_cw_toolsets_but_never_widen_them(sim):
    async def go():
        out = {}
        auth = {"authorization": f"Bearer {EDITOR}"}
        async with server_http(with_tokens(sim, CW_TOOLSETS="tickets,time")) as url:
            async with session_at(url, {**auth, "x-cw-toolsets": "time"}) as s:
                out["time"] = [t["name"] for t in await s.tools()]
            async with session_at(url, {**auth, "x-cw-toolsets": "time,projects"}) as s:
                out["wider"] = [t["name"] for t in await s.tools()]
            out["call outside"] = post(url, rpc("tools/call", {"name": "cw_my_tickets", "arguments": {}}), {**auth, "x-cw-toolsets": "time"})
            out["unknown"] = post(url, INIT, {**auth, "x-cw-toolsets": "time,bogus"})
        return out

    o = run(go)
    assert o["time"] and all("time" in n or "work_type" in n for n in o["time"]), o["time"]
    assert o["wider"] == o["time"], "a header cannot add a toolset the server does not offer"
    status, _, body = o["call outside"]
    assert status == 200 and "x-cw-toolsets" in body and "tickets" in body, body
    status, _, body = o["unknown"]
    assert status == 400 and "bogus" in body and "tickets" in body, body


def test_a_principal_over_the_rate_limit_gets_429_with_retry_after(sim):
    async def go():
        out = []
        async with server_http(with_tokens(sim, MCP_RATE_LIMIT="5/min")) as url:
            for _ in range(6):
                out.append(post(url, INIT, {"authorization": f"Bearer {VIEWER}"}))
            out.append(post(url, INIT, {"authorization": f"Bearer {EDITOR}"}))
        return out

    o = run(go)
    assert [s for s, _, _ in o[:5]] == [200] * 5
    status, headers, body = o[5]
    assert status == 429, body
    wait = int({k.lower(): v for k, v in headers.items()}["retry-after"])
    assert 1 <= wait <= 12, wait
    assert "MCP_RATE_LIMIT" in body and VIEWER not in body
    assert o[6][0] == 200, "another token has its own allowance"


def test_slow_and_idle_connections_are_closed_after_the_read_deadlines(sim):
    import socket
    import time

    def closed_within(sock, limit):
        """Seconds until the server closed `sock` (None if still open after `limit`), and what it sent."""
        sock.settimeout(limit)
        start, got = time.monotonic(), b""
        try:
            while chunk := sock.recv(4096):
                got += chunk
        except (socket.timeout, TimeoutError):
            return None, got
        except ConnectionResetError:
            pass
        return time.monotonic() - start, got

    async def go():
        async with server_http(with_tokens(sim, MCP_HEADER_TIMEOUT_SECS="1", MCP_BODY_TIMEOUT_SECS="1")) as url:
            host, port = url.split("//")[1].split("/")[0].split(":")
            addr = (host, int(port))
            idle = socket.create_connection(addr)
            slow_head = socket.create_connection(addr)
            slow_head.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow_body = socket.create_connection(addr)
            head = f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {VIEWER}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: 100\r\n\r\n"
            slow_body.sendall(head.encode() + b'{"jsonrpc"')
            return [closed_within(s, 8) for s in (idle, slow_head, slow_body)]

    (idle, _), (head, _), (body, answer) = run(go)
    for t in (idle, head, body):
        assert t is not None and t < 6, "the connection was closed after the deadline"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]


def test_connections_over_the_cap_shed_silent_ones_and_are_told_to_retry_when_all_are_busy(sim):
    import socket
    import time

    async def go():
        async with server_http(with_tokens(sim, MCP_MAX_CONNECTIONS="3", MCP_HEADER_TIMEOUT_SECS="30",
                                           MCP_BODY_TIMEOUT_SECS="30")) as url:
            host, port = url.split("//")[1].split("/")[0].split(":")
            addr = (host, int(port))
            # Three connections that say nothing: a client that speaks gets one of their places.
            silent = [socket.create_connection(addr) for _ in range(3)]
            time.sleep(0.3)
            shed = post(url, INIT, {"authorization": f"Bearer {VIEWER}"})
            # Three connections each in the middle of a request (headers in, body coming): none
            # can be shed, so a new one is told to come back.
            head = (f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {VIEWER}\r\n"
                    "content-type: application/json\r\naccept: application/json, text/event-stream\r\n"
                    "content-length: 100\r\n\r\n{")
            busy = []
            for _ in range(3):
                b = socket.create_connection(addr)
                b.sendall(head.encode())
                busy.append(b)
                time.sleep(0.2)
            over = post(url, INIT, {"authorization": f"Bearer {VIEWER}"})
            for s in silent + busy:
                s.close()
            deadline, after = time.monotonic() + 5, None
            while time.monotonic() < deadline:
                after = post(url, INIT, {"authorization": f"Bearer {VIEWER}"})
                if after[0] == 200:
                    break
                time.sleep(0.1)
            return shed, over, after

    shed, (status, headers, body), after = run(go)
    assert shed[0] == 200, shed
    assert status == 503, body
    assert {k.lower(): v for k, v in headers.items()}["retry-after"] == "1"
    assert after[0] == 200, "a freed slot takes a new connection"


def test_no_session_is_issued_so_none_can_carry_privilege(sim):
    """Served statelessly: no Mcp-Session-Id is handed out, so a request can only ever act
    with its own token and keys."""
    async def go():
        async with server_http(with_tokens(sim)) as url:
            return post(url, INIT, {"authorization": f"Bearer {ADMIN}"}), post(
                url, rpc("tools/list"), {"authorization": f"Bearer {VIEWER}", "mcp-session-id": "made-up-session"})

    (status, headers, _), (lstatus, _, listed) = run(go)
    assert status == 200 and "mcp-session-id" not in {k.lower() for k in headers}
    assert lstatus == 200 and "cw_add_ticket_note" not in listed, "a session id grants nothing"
