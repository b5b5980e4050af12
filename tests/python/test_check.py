"""`connectwise-mcp check`: an admin's first run against a tenant says what works and how to
fix what does not, and never prints a key."""
import subprocess

from harness import BIN


def check(env):
    return subprocess.run([BIN, "check"], env=env, capture_output=True, text=True, timeout=60)


def test_a_good_configuration_passes_every_check(sim):
    r = check(sim.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed." in r.stdout
    assert "keys accepted" in r.stdout and "CW_MEMBER_IDENTIFIER jchen is a member" in r.stdout
    assert "FAIL" not in r.stdout


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


def test_a_read_only_api_member_passes_the_read_checks(sim):
    r = check(sim.env("apireader"))
    assert r.returncode == 0, r.stdout
