"""ConnectWise Home end to end: the real binary drives Debian's Chromium (headless) against a
fake portal on loopback, through the MCP Python SDK over HTTP. Login with a real TOTP step,
the saved session after a restart, the login breaker, the 0600 rule, the origin guard, every
primitive, redaction of planted secrets, and the idle shutdown."""
import base64
import json
import os
import re
import shutil
import subprocess
import time
from contextlib import asynccontextmanager

import anyio
import pytest

import fake_portal as fp
from harness import BIN, session_at
import procs  # noqa: E402

if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
    raise RuntimeError("Chromium is not installed: scripts/test-deps installs Debian's chromium; these tests need it")


def home_env(sim, portal, config_dir, **extra):
    """A server offering only the Home tools, pointed at the fake portal; the password and TOTP
    secret come from the 0600 .env file, as an administrator would keep them."""
    os.makedirs(config_dir, exist_ok=True)
    env_file = os.path.join(config_dir, ".env")
    if not os.path.exists(env_file):
        with open(env_file, "w") as f:
            f.write(f"CW_HOME_PASSWORD={extra.pop('password', fp.PASSWORD)}\nCW_HOME_TOTP_SECRET={fp.TOTP_SECRET[:16]} {fp.TOTP_SECRET[16:]}\n")
        os.chmod(env_file, 0o600)
    env = sim.env(default_shape=True)
    env.update({
        "CW_TOOLSETS": "home",
        "CW_HOME_CONFIG_DIR": str(config_dir),
        "CW_HOME_EMAIL": fp.EMAIL,
        "CW_HOME_BASE_URL": portal.home.url,
        "CW_HOME_SSO_URL": portal.sso.url,
        "CW_HOME_SF_BASE_URL": portal.support.url + "/partnersupport",
        "RUST_LOG": "trace",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


@asynccontextmanager
async def server(env, log_path):
    start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
    with open(log_path, "a") as err:
        proc = procs.spawn([BIN, "--transport", "http", "--port", "0"], env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        url = None
        for _ in range(200):
            m = re.search(r"MCP endpoint: (http://\S+/mcp)", open(log_path).read()[start:])
            if m:
                url = m.group(1)
                break
            if proc.poll() is not None:
                break
            await anyio.sleep(0.05)
        assert url, open(log_path).read()[-2000:]
        async with session_at(url) as s:
            yield s, proc
    finally:
        procs.stop(proc, grace=15)


def data(r):
    """A tool's JSON answer; page-derived answers come fenced as untrusted text."""
    assert not r.is_error, r.text
    text = r.text
    if text.startswith("<<untrusted"):
        assert text.rstrip().endswith("<<end untrusted>>"), text[-80:]
        text = text[text.index("\n") + 1:text.rstrip().rindex("\n")]
    return json.loads(text) if text.startswith("{") else text


def sso_paths(portal, since=0):
    return [e["path"] for e in portal.sso.log[since:]]


def test_login_then_a_restart_restores_the_session_without_logging_in_again(sim, portal, tmp_path):
    cfg = tmp_path / "cfg"
    env = home_env(sim, portal, cfg)
    log = tmp_path / "server.log"

    async def go():
        out = {}
        async with server(env, log) as (s, _):
            tools = {t["name"] for t in await s.tools()}
            out["tools"] = tools
            out["login"] = data(await s.call("cw_home_login"))
            out["status"] = data(await s.call("cw_home_session_status"))
        state = cfg / "data" / "browser-state.json"
        out["state mode"] = oct(state.stat().st_mode & 0o777)
        out["state"] = state.read_text()
        before = len(portal.sso.log)
        async with server(env, log) as (s, _):
            out["again"] = data(await s.call("cw_home_login"))
        out["after restart"] = sso_paths(portal, before)
        return out

    o = anyio.run(go)
    assert len(o["tools"]) == 26 and all(t.startswith("cw_home_") for t in o["tools"])
    assert o["login"]["logged_in"] and o["login"]["steps"] == ["email", "password", "mfa", "trust"], o["login"]
    st = o["status"]
    assert st["browser_running"] and st["logged_in"] and st["cookies"] >= 2 and st["earliest_expiry"], st
    assert st["url"].startswith(portal.home.url)
    assert o["state mode"] == "0o600"
    assert "idp_session" in o["state"]
    assert o["again"]["steps"] == ["restored session"], o["again"]
    assert not any(p.startswith("/login") for p in o["after restart"]), "no login page was shown after the restart"
    everything = open(log).read() + json.dumps(o, default=str)
    for secret in [fp.PASSWORD, fp.TOTP_SECRET, fp.TOTP_SECRET[:16], *portal.tokens]:
        assert secret not in everything, f"{secret[:6]}… leaked"


def test_three_failed_logins_stop_further_attempts(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg", password="Wrong-Password-1")

    async def go():
        out = []
        async with server(env, tmp_path / "server.log") as (s, _):
            for _ in range(3):
                out.append(await s.call("cw_home_login"))
            before = len(portal.sso.log)
            out.append(await s.call("cw_home_login"))
            return out, sso_paths(portal, before)

    results, after = anyio.run(go)
    assert all(r.is_error for r in results)
    assert "Incorrect password" in results[0].text and "2 more failed" in results[0].text, results[0].text
    assert "until the server restarts" in results[2].text
    assert "refused" in results[3].text and after == [], "the fourth attempt reached the portal"
    assert portal.failed_logins == 3
    assert "Wrong-Password-1" not in json.dumps([r.text for r in results])


def test_an_env_file_others_can_read_stops_start_up(sim, portal, tmp_path):
    cfg = tmp_path / "cfg"
    env = home_env(sim, portal, cfg)
    os.chmod(cfg / ".env", 0o644)
    out = subprocess.run([BIN, "--transport", "http", "--port", "0"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "chmod 600" in out.stderr and fp.PASSWORD not in out.stderr, out.stderr


def test_the_origin_guard_and_every_primitive(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg")

    async def go():
        o = {}
        async with server(env, tmp_path / "server.log") as (s, _):
            data(await s.call("cw_home_login"))
            o["nav evil"] = await s.call("cw_home_navigate", {"url": portal.evil.url + "/x"})
            o["nav home"] = data(await s.call("cw_home_navigate", {"url": "/"}))
            await anyio.sleep(0.5)
            o["snapshot"] = await s.call("cw_home_snapshot", {})
            shot = await s.s.call_tool("cw_home_screenshot", {})
            o["image"] = [c for c in shot.content if getattr(c, "type", "") == "image"]
            data(await s.call("cw_home_fill", {"selector": "#search", "value": "alice"}))
            data(await s.call("cw_home_press_key", {"key": "Enter", "selector": "#search"}))
            o["after enter"] = data(await s.call("cw_home_eval", {"expression": "document.querySelector('#status').textContent"}))
            o["select"] = data(await s.call("cw_home_select", {"selector": "#role", "value": "Technician"}))
            o["after select"] = data(await s.call("cw_home_eval", {"expression": "document.querySelector('#status').textContent"}))
            o["click load"] = data(await s.call("cw_home_click", {"selector": "#load"}))
            await anyio.sleep(0.5)
            o["after load"] = data(await s.call("cw_home_eval", {"expression": "document.querySelector('#status').textContent"}))
            o["eval write"] = await s.call("cw_home_eval", {"expression": "document.title = 'changed'"})
            o["eval token"] = await s.call("cw_home_eval", {"expression": "JSON.stringify(sessionStorage)"})
            o["click evil"] = data(await s.call("cw_home_click", {"selector": "#evil"}))
            o["click bounce"] = data(await s.call("cw_home_click", {"selector": "#bounce"}))
            o["missing"] = await s.call("cw_home_click", {"selector": "#nope"})
            o["api evil"] = await s.call("cw_home_api_call", {"url": portal.evil.url + "/steal"})
        return o

    o = anyio.run(go)
    assert o["nav evil"].is_error and "allow-list" in o["nav evil"].text
    assert o["nav home"]["url"].startswith(portal.home.url)
    snap = o["snapshot"]
    assert not snap.is_error and "Users & Application Settings" in snap.text and "<<untrusted" in snap.text, snap.text[:400]
    assert o["image"] and base64.b64decode(o["image"][0].data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert o["after enter"]["result"] == "Searched: alice"
    assert o["select"]["selected"] == "Technician" and o["after select"]["result"] == "Role: tech"
    assert o["after load"]["result"] == "Loaded 5 users"
    assert o["eval write"].is_error and "only reads" in o["eval write"].text
    assert not o["eval token"].is_error and not any(t in o["eval token"].text for t in portal.tokens)
    assert "blocked_navigation" in o["click evil"] and "blocked_navigation" in o["click bounce"], (o["click evil"], o["click bounce"])
    assert o["missing"].is_error and "#nope" in o["missing"].text
    assert o["api evil"].is_error and "allow-list" in o["api evil"].text
    assert portal.evil.log == [], "nothing reached the foreign origin"


def test_captured_traffic_and_portal_calls_carry_no_secret(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg")
    log = tmp_path / "server.log"

    async def go():
        o = {}
        async with server(env, log) as (s, _):
            data(await s.call("cw_home_login"))
            o["capture"] = data(await s.call("cw_home_capture_xhr", {"click": "#load", "include_bodies": True, "duration_ms": 1500}))
            o["capture secrets"] = data(await s.call("cw_home_capture_xhr", {"click": "#integration", "include_bodies": True, "duration_ms": 1500}))
            o["authed"] = data(await s.call("cw_home_authed_api_call", {"url": "/api/v1/partners/p1/secrets"}))
            o["me"] = data(await s.call("cw_home_authed_api_call", {"url": "/api/v1/partners/me"}))
            o["cookie"] = data(await s.call("cw_home_api_call", {"url": "/portal/downloads"}))
            o["no bearer"] = data(await s.call("cw_home_api_call", {"url": "/api/v1/partners/me"}))
            o["saved"] = data(await s.call("cw_home_save_discovery", {"method": "get", "url": "/api/v1/partners/p1/users?page=1&token=abc", "description": "users"}))
            o["listed"] = data(await s.call("cw_home_list_discovered", {"search": "users"}))
            o["deleted"] = data(await s.call("cw_home_delete_discovery", {"id": o["saved"]["id"]}))
            o["empty"] = data(await s.call("cw_home_list_discovered", {}))
            o["logout"] = data(await s.call("cw_home_logout"))
            o["after logout"] = await s.call("cw_home_authed_api_call", {"url": "/api/v1/partners/me"})
        return o

    o = anyio.run(go)
    reqs = o["capture"]["requests"]
    users = next(r for r in reqs if "/api/v1/partners/p1/users" in r["url"])
    assert users["status"] == 200 and users["request_headers"].get("Authorization") == "[REDACTED]", users
    assert users["body"]["users"][0]["name"] == "User 1"
    planted = next(r for r in o["capture secrets"]["requests"] if r["url"].endswith("/secrets"))
    assert planted["body"]["visible"] == "kept" and planted["body"]["nested"][0]["api_key"] == "[REDACTED]", planted
    assert planted["response_headers"].get("x-session-token") == "[REDACTED]", planted["response_headers"]
    secrets = o["authed"]
    assert secrets["status"] == 200 and secrets["body"]["visible"] == "kept" and secrets["body"]["refresh_token"] == "[REDACTED]"
    assert "[REDACTED_JWT]" in secrets["body"]["note"]
    assert o["me"]["body"]["name"] == "Harborview Technology Partners"
    assert o["cookie"]["status"] == 200 and o["cookie"]["body"]["downloads"], "the cookie-only endpoint works with the session cookie"
    assert o["no bearer"]["status"] == 401, "without the token the bearer API refuses"
    assert o["saved"]["url"].endswith("token=%5BREDACTED%5D") or "REDACTED" in o["saved"]["url"]
    assert len(o["listed"]["endpoints"]) == 1 and o["deleted"]["deleted"] == o["saved"]["id"] and o["empty"]["endpoints"] == []
    assert o["after logout"].is_error and "cw_home_login" in o["after logout"].text
    everything = json.dumps(o, default=str) + open(log).read()
    for secret in [*fp.PLANTED.values(), *portal.tokens, fp.PASSWORD]:
        assert secret not in everything, f"{secret[:8]}… leaked"


def test_the_browser_closes_when_idle_and_comes_back_logged_in(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg", CW_HOME_IDLE_SHUTDOWN_MS=1000)

    async def go():
        o = {}
        async with server(env, tmp_path / "server.log") as (s, proc):
            data(await s.call("cw_home_login"))
            pids = chromium_children(proc.pid)
            o["running"] = bool(pids)
            await anyio.sleep(3)
            o["status idle"] = data(await s.call("cw_home_session_status"))
            o["gone"] = not any(os.path.exists(f"/proc/{p}") and "chromium" in open(f"/proc/{p}/cmdline").read() for p in pids)
            o["again"] = data(await s.call("cw_home_login"))
        return o

    o = anyio.run(go)
    assert o["running"], "a browser ran"
    assert not o["status idle"]["browser_running"] and o["status idle"]["saved_cookies"] >= 2
    assert o["gone"], "the idle browser process exited"
    assert o["again"]["steps"] == ["restored session"]


def chromium_children(pid):
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(l.split()[0]) for l in out.splitlines() if "chromium" in l]


def test_every_named_operation_runs_with_its_auth_and_writes_need_confirm(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg")
    ops = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "crates", "cw-home", "data", "operations.json")))["operations"]
    fill = {"userId": "u3", "appId": "a1", "productId": "pr1"}

    async def go():
        o = {"runs": {}}
        async with server(env, tmp_path / "server.log") as (s, _):
            data(await s.call("cw_home_login"))
            listed = data(await s.call("cw_home_list_operations", {}))
            o["listed"] = [x["name"] for x in listed["operations"]]
            o["users"] = [x["name"] for x in data(await s.call("cw_home_list_operations", {"category": "users"}))["operations"]]
            before = len(portal.calls)
            o["unconfirmed"] = data(await s.call("cw_home_operation", {"operation": "users.delete", "params": {"userId": "u3"}}))
            o["unconfirmed calls"] = [c for c in portal.calls[before:] if c["path"] != "/api/v1/me"]
            o["bad param"] = await s.call("cw_home_operation", {"operation": "users.list", "params": {"pages": 2}})
            for op in ops:
                params = {k: fill[k] for k, p in op["params"].items() if p["in"] == "path" and k in fill}
                if any(p["in"] == "body" for p in op["params"].values()):
                    params["body"] = {"note": "from the test"}
                if op["name"] == "users.list":
                    params.update({"page": 2, "pageSize": 5, "search": "ann"})
                before = len(portal.calls)
                r = await s.call("cw_home_operation", {"operation": op["name"], "params": params, "confirm": True})
                # The partner id is looked up once (/api/v1/me) and then remembered.
                calls = [c for c in portal.calls[before:] if c["path"] != "/api/v1/me" or op["name"] == "me.get"]
                o["runs"][op["name"]] = (r.is_error, r.text[:300], calls)
        return o

    o = anyio.run(go)
    assert len(o["listed"]) == 39 and len(o["users"]) == 10
    u = o["unconfirmed"]
    assert u["confirm_required"] and u["would_send"]["method"] == "DELETE" and u["would_send"]["url"].endswith("/users/u3")
    assert o["unconfirmed calls"] == [], "nothing was sent without confirm"
    assert o["bad param"].is_error and "`pages`" in o["bad param"].text
    for op in ops:
        err, text, calls = o["runs"][op["name"]]
        if op["name"] == "products.downloads":
            assert not err and "ScreenConnect" in text, text
            continue
        assert not err, (op["name"], text)
        expect_path = op["path"].replace("{partnerId}", "p1").replace("{userId}", "u3").replace("{appId}", "a1").replace("{productId}", "pr1")
        assert len(calls) == 1, (op["name"], calls)
        c = calls[0]
        assert (c["method"], c["path"], c["auth"]) == (op["method"], expect_path, op["auth"]), (op["name"], c)
        if op["name"] == "users.list":
            assert c["query"] == {"page": "2", "pageSize": "5", "search": "ann"}, c
        if any(p["in"] == "body" for p in op["params"].values()):
            assert c["body"] == {"note": "from the test"}, (op["name"], c)


def test_promoted_operations_and_pinned_queries_survive_a_restart(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg")
    log = tmp_path / "server.log"

    async def go():
        o = {}
        async with server(env, log) as (s, _):
            data(await s.call("cw_home_login"))
            o["promoted"] = data(await s.call("cw_home_save_discovery", {"method": "GET", "url": "/api/v1/partners/p1/sessions", "description": "active sessions", "promote_as": "partners.sessions"}))
            o["pinned"] = data(await s.call("cw_home_save_query", {"name": "first techs", "operation": "users.list", "params": {"page": 1, "pageSize": 3}}))
            o["pin unknown"] = await s.call("cw_home_save_query", {"name": "x", "operation": "users.nope"})
        async with server(env, log) as (s, _):
            o["listed"] = data(await s.call("cw_home_list_operations", {"search": "sessions"}))
            before = len(portal.calls)
            o["run promoted"] = data(await s.call("cw_home_operation", {"operation": "partners.sessions"}))
            o["run query"] = data(await s.call("cw_home_operation", {"query": "first techs"}))
            o["calls"] = portal.calls[before:]
            o["queries"] = data(await s.call("cw_home_list_queries"))
            o["deleted"] = data(await s.call("cw_home_delete_query", {"name": "first techs"}))
            data(await s.call("cw_home_save_query", {"name": "a", "operation": "me.get"}))
            data(await s.call("cw_home_save_query", {"name": "b", "operation": "issues.list"}))
            o["cleared"] = data(await s.call("cw_home_clear_queries"))
            o["empty"] = data(await s.call("cw_home_list_queries"))
        return o

    o = anyio.run(go)
    assert o["promoted"]["promoted"] == "partners.sessions"
    assert o["pin unknown"].is_error
    assert [x["name"] for x in o["listed"]["operations"]] == ["partners.sessions"] and o["listed"]["operations"][0]["source"] == "promoted"
    assert o["run promoted"]["status"] == 200 and o["run query"]["status"] == 200
    calls = [c for c in o["calls"] if c["path"] != "/api/v1/me"]
    assert [(c["path"], c["auth"]) for c in calls] == [("/api/v1/partners/p1/sessions", "bearer"), ("/api/v1/partners/p1/users", "bearer")]
    assert calls[1]["query"] == {"page": "1", "pageSize": "3"}
    assert [q["name"] for q in o["queries"]["queries"]] == ["first techs"]
    assert o["deleted"]["deleted"] == "first techs" and o["cleared"]["deleted"] == 2 and o["empty"]["queries"] == []


def test_support_cases_across_pages_a_case_in_order_and_an_export_that_lands_once(sim, portal, tmp_path):
    company = sim.api("/company/companies", {"orderBy": "id", "pageSize": 1})[0]["name"]
    env = home_env(sim, portal, tmp_path / "cfg", CW_TOOLSETS="tickets,home")

    async def go():
        o = {}
        async with server(env, tmp_path / "server.log") as (s, _):
            data(await s.call("cw_home_login"))
            o["open"] = data(await s.call("cw_home_sf_list_cases", {"max_pages": 5}))
            o["one page"] = data(await s.call("cw_home_sf_list_cases", {"max_pages": 1}))
            o["all"] = data(await s.call("cw_home_sf_list_cases", {"view": "all", "max_pages": 5}))
            o["case"] = await s.call("cw_home_sf_get_case", {"case_number": "01234502"})
            o["closed case"] = data(await s.call("cw_home_sf_get_case", {"case_number": "01234540"}))
            o["missing"] = await s.call("cw_home_sf_get_case", {"case_number": "09999999"})
            o["payload"] = data(await s.call("cw_home_export_case_to_psa", {"case_number": "01234502", "company": company}))
            sim.clear()
            o["unconfirmed"] = data(await s.call("cw_home_export_case_to_psa", {"case_number": "01234502", "company": company, "create": True}))
            o["unconfirmed posts"] = [r for r in sim.requests() if r["method"] == "POST"]
            o["created"] = data(await s.call("cw_home_export_case_to_psa", {"case_number": "01234502", "company": company, "create": True, "confirm": True}))
            o["posts"] = [r for r in sim.requests() if r["method"] == "POST"]
            sim.clear()
            o["again"] = data(await s.call("cw_home_export_case_to_psa", {"case_number": "01234502", "company": company, "create": True, "confirm": True}))
            o["posts again"] = [r for r in sim.requests() if r["method"] == "POST"]
        return o

    o = anyio.run(go)
    numbers = [c["number"] for c in o["open"]["cases"]]
    assert len(numbers) == 30 and len(set(numbers)) == 30 and o["open"]["complete"]
    assert len(o["one page"]["cases"]) == 20 and not o["one page"]["complete"]
    assert len(o["all"]["cases"]) == 45
    case = o["case"]
    assert case.text.startswith("<<untrusted"), "case text is fenced as untrusted"
    c = data(case)
    times = [p["at"] for p in c["conversation"]]
    assert len(times) == 4 and times == sorted(times), times
    assert "[REDACTED_JWT]" in c["conversation"][-1]["body"] and "eyJ" not in case.text
    assert o["closed case"]["status"] == "Closed"
    assert o["missing"].is_error and "09999999" in o["missing"].text
    t = o["payload"]["ticket"]
    assert t["summary"].startswith("[SF 01234502]") and len(t["summary"]) <= 100 and t["company"] == company
    assert "Conversation, oldest first" in t["internal_note"] and "description" not in t, "internal, nothing customer-visible"
    assert o["unconfirmed"]["confirm_required"] and o["unconfirmed posts"] == []
    assert o["created"]["created"] and o["created"]["ticket_id"], o["created"]
    tickets = [r for r in o["posts"] if r["path"].endswith("/service/tickets")]
    assert len(tickets) == 1 and tickets[0]["member"] == "jchen", o["posts"]
    assert not o["again"]["created"] and o["again"]["ticket_id"] == o["created"]["ticket_id"]
    assert o["posts again"] == [], "a second export made nothing"


def test_seed_002s_slash_commands_are_prompts(sim, portal, tmp_path):
    env = home_env(sim, portal, tmp_path / "cfg")

    async def go():
        async with server(env, tmp_path / "server.log") as (s, _):
            listed = await s.s.list_prompts()
            names = [p.name for p in listed.prompts]
            got = await s.s.get_prompt("cwhome_export_case", {"case_number": "01234502", "company": "Summit Accounting"})
            try:
                await s.s.get_prompt("cwhome_invite", {})
                missing = None
            except Exception as e:  # a required argument left out is a protocol error
                missing = str(e)
            return names, got, missing

    names, got, missing = anyio.run(go)
    assert names == ["cwhome_users", "cwhome_invite", "cwhome_cases", "cwhome_export_case", "cwhome_known_issues"]
    text = got.messages[0].content.text
    assert "01234502" in text and "Summit Accounting" in text and "confirm: true" in text
    assert missing and "email" in missing


def test_sigterm_closes_the_browser_saves_the_session_and_exits_0(sim, portal, tmp_path):
    """`docker stop` sends SIGTERM to the server alone: it closes Chromium itself (no browser
    is orphaned), keeps the session for the next start, and exits 0."""
    cfg = tmp_path / "cfg"
    env = home_env(sim, portal, cfg)
    log = tmp_path / "server.log"

    async def go():
        async with server(env, log) as (s, proc):
            login = data(await s.call("cw_home_login"))
            chromium = [p for p in procs.members(proc.pid) if p != proc.pid]
            proc.send_signal(__import__("signal").SIGTERM)
            code = await anyio.to_thread.run_sync(lambda: proc.wait(20))
            return login, chromium, code, procs.members(proc.pid)

    login, chromium, code, left = anyio.run(go)
    assert login["logged_in"], login
    assert chromium, "the browser ran in the server's process group"
    assert code == 0
    assert left == [], f"left running after SIGTERM: {left}"
    assert "idp_session" in (cfg / "data" / "browser-state.json").read_text()
