"""`connectwise-mcp check`: an admin's first run against a tenant says what works and how to
fix what does not, and never prints a key."""
import subprocess

from harness import BIN


def check(env):
    return subprocess.run([BIN, "check"], env=env, capture_output=True, text=True, timeout=60)


def writes_that_landed(sim):
    return [q for q in sim.requests() if q["method"] != "GET" and q["status"] < 300]


def test_a_good_configuration_passes_every_check_and_writes_nothing(sim):
    r = check(sim.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed." in r.stdout
    assert "keys accepted" in r.stdout and "keys belong to jchen, as CW_MEMBER_IDENTIFIER says" in r.stdout
    for what in ("add ticket notes", "update tickets", "create tickets", "log time"):
        assert f"ok    can {what} (probed without writing" in r.stdout, what
    assert "Not verified" in r.stdout
    assert "FAIL" not in r.stdout
    assert writes_that_landed(sim) == [], "the write probes wrote nothing"


def test_keys_that_belong_to_someone_else_fail_with_the_fix(sim):
    env = sim.env("psharma")
    env["CW_MEMBER_IDENTIFIER"] = "jchen"
    r = check(env)
    assert r.returncode != 0
    assert "CW_MEMBER_IDENTIFIER is jchen, but these keys belong to psharma" in r.stdout, r.stdout
    assert "CW_MEMBER_IDENTIFIER=psharma" in r.stdout


def test_an_unreachable_site_stops_the_check_and_names_host_port_and_cause(sim):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    env = sim.env()
    env["CW_SITE"] = f"http://127.0.0.1:{port}"
    r = check(env)
    assert r.returncode != 0
    assert f"127.0.0.1:{port}" in r.stdout and "connection refused" in r.stdout, r.stdout
    assert "keys rejected" not in r.stdout and "did not accept the keys" not in r.stdout + r.stderr
    assert "API keys: not checked" in r.stdout and "write access: not checked" in r.stdout
    assert "WARN" not in r.stderr, r.stderr


def test_failures_say_how_to_fix_them_and_print_no_key(sim):
    env = sim.env()
    env["CW_PRIVATE_KEY"] = "not-the-right-private-key"
    r = check(env)
    assert r.returncode != 0
    assert "FAIL  keys rejected" in r.stdout and "public and private keys" in r.stdout
    assert "not-the-right-private-key" not in r.stdout + r.stderr
    assert sim.member("jchen")["publicKey"] not in r.stdout + r.stderr

    env = sim.env()
    env["CW_COMPANY_ID"] = "Harborview Technology Partners"
    r = check(env)
    assert r.returncode != 0 and "company id typed at the ConnectWise login" in r.stdout
    assert "API keys: not checked" in r.stdout and "keys rejected" not in r.stdout

    env = sim.env()
    env["CW_MEMBER_IDENTIFIER"] = "jamie.chen@harborview.example"
    r = check(env)
    assert r.returncode != 0 and "not an e-mail address" in r.stdout

    sim.config(myAccount=False)
    r = check(sim.env(with_member=False))
    assert r.returncode != 0 and "set CW_MEMBER_IDENTIFIER" in r.stdout

    env = sim.env()
    del env["CW_CLIENT_ID"]
    r = check(env)
    assert r.returncode != 0 and "developer.connectwise.com" in r.stdout


def test_a_read_only_api_member_passes_the_reads_and_fails_the_writes(sim):
    r = check(sim.env("apireader"))
    assert r.returncode != 0, r.stdout
    assert "ok    can read tickets" in r.stdout
    for what in ("add ticket notes", "update tickets", "create tickets", "log time"):
        assert f"FAIL  cannot {what}: ConnectWise answered 403" in r.stdout, what
    assert "security role" in r.stdout and "Service Tickets" in r.stdout
    assert writes_that_landed(sim) == []
