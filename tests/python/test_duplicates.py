"""The duplicate warning on cw_create_ticket: a ticket like an open one the company had in the
last days (a similar summary, or the same device attached) is not created; the answer names the
likely duplicates and why, and create_anyway creates it, with the device attached."""
from datetime import datetime, timedelta, timezone

from harness import connect, run


def _writes(sim):
    return [(q["method"], q["path"]) for q in sim.requests() if q["method"] != "GET"]


def test_a_likely_duplicate_is_named_instead_of_created(sim):
    since = (datetime.now(timezone.utc) - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = sim.api("/service/tickets", {"conditions": f"closedFlag = false and _info/dateEntered >= [{since}] and company/id > 1",
                                          "orderBy": "id desc", "pageSize": 1})[0]
    company = recent["company"]["name"]

    async def go():
        async with connect("stdio", sim.env()) as s:
            sim.clear()
            # The same problem, worded a little differently.
            dupe = await s.call("cw_create_ticket", {"company": company, "summary": recent["summary"].upper()})
            after_dupe = _writes(sim)
            anyway = await s.call("cw_create_ticket", {"company": company, "summary": recent["summary"], "create_anyway": True})
            other = await s.call("cw_create_ticket", {"company": company, "summary": "Quarterly firewall rule review"})
            return dupe, after_dupe, anyway, other

    dupe, after_dupe, anyway, other = run(go)
    assert dupe.is_error and f"#{recent['id']}" in dupe.text and "create_anyway" in dupe.text
    assert "<<untrusted text" in dupe.text
    assert after_dupe == []
    assert not anyway.is_error, anyway.text
    assert not other.is_error, other.text
    assert [w for w in _writes(sim) if w == ("POST", "/service/tickets")] == [("POST", "/service/tickets")] * 2


def test_the_same_device_is_a_likely_duplicate_and_is_attached(sim):
    since = (datetime.now(timezone.utc) - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = None
    for t in sim.api("/service/tickets", {"conditions": f"closedFlag = false and _info/dateEntered >= [{since}] and company/id > 1", "orderBy": "id desc", "pageSize": 50}):
        devices = sim.api("/company/configurations", {"conditions": f"company/id = {t['company']['id']}", "pageSize": 5})
        if devices:
            recent, device = t, devices[0]
            break
    assert recent, "the seeded tenant has a recent open ticket of a company with devices"
    sim.write("POST", f"/service/tickets/{recent['id']}/configurations", {"id": device["id"]})
    company = recent["company"]["name"]

    async def go():
        async with connect("stdio", sim.env()) as s:
            sim.clear()
            dupe = await s.call("cw_create_ticket", {"company": company, "summary": "Fan noise and random shutdowns", "configuration": device["name"]})
            unknown = await s.call("cw_create_ticket", {"company": company, "summary": "Fan noise", "configuration": "no-such-device-xyz"})
            before = _writes(sim)
            made = await s.call("cw_create_ticket", {"company": company, "summary": "Fan noise and random shutdowns", "configuration": str(device["id"]), "create_anyway": True})
            return dupe, unknown, before, made

    dupe, unknown, before, made = run(go)
    assert dupe.is_error and f"#{recent['id']}" in dupe.text and "same device" in dupe.text, dupe.text
    assert unknown.is_error and "no configuration" in unknown.text
    assert before == []
    assert not made.is_error, made.text
    tid = made.structured["ticket"]["id"]
    assert _writes(sim) == [("POST", "/service/tickets"), ("POST", f"/service/tickets/{tid}/configurations")]
    assert f"configuration {device['name']} attached" in made.structured["message"]
    assert [c["id"] for c in sim.api(f"/service/tickets/{tid}/configurations")] == [device["id"]]


def test_a_device_that_cannot_be_attached_leaves_the_ticket_reported_truthfully(sim):
    t = sim.api("/service/tickets", {"conditions": "company/id > 1", "orderBy": "id desc", "pageSize": 1})[0]
    device = sim.api("/company/configurations", {"conditions": f"company/id = {t['company']['id']}", "pageSize": 1})
    if not device:
        device = [sim.api("/company/configurations", {"pageSize": 1})[0]]
        t = {"company": device[0]["company"]}
    device = device[0]

    async def go():
        async with connect("stdio", sim.env()) as s:
            sim.clear()
            sim.fault(method="POST", path="/service/tickets/*/configurations", kind="status", status=503, times=1)
            return await s.call("cw_create_ticket", {"company": str(t["company"]["id"]), "summary": "Docking station not detected", "configuration": str(device["id"]), "create_anyway": True})

    r = run(go)
    assert r.is_error and "could not be attached" in r.text and "do not create the ticket again" in r.text, r.text
    created = [q for q in sim.requests() if q["method"] == "POST" and q["path"] == "/service/tickets"]
    assert len(created) == 1
    tid = int(r.text.split("Created ticket #", 1)[1].split(" ", 1)[0])
    assert sim.api(f"/service/tickets/{tid}")["summary"] == "Docking station not detected"
    assert sim.api(f"/service/tickets/{tid}/configurations") == []
