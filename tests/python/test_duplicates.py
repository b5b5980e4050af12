"""The duplicate warning on cw_create_ticket: a ticket like an open one the company had in the
last days is not created; the answer names the likely duplicates, and create_anyway creates it."""
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
