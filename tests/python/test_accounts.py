"""The accounts toolset and the single-record reads through a real MCP client: company sites,
invoices (read only), unbilled time totalled by company, one agreement and one member; each
compared with what the simulator holds."""
from harness import connect, expect_refusals, run


def test_sites_invoices_and_unbilled_time(sim, transport):
    company = sim.api("/company/companies/4")
    sites = sim.api("/company/companies/4/sites", {"conditions": "inactiveFlag = false"})
    unpaid = sim.api("/finance/invoices", {"conditions": "balance > 0", "orderBy": "date desc", "pageSize": 100})
    cond = 'billableOption = "Billable" and status not in ("Billed","BilledAgreement","WrittenOff") and company/id = 4'
    unbilled = sim.api("/time/entries", {"conditions": cond, "pageSize": 1000})

    async def go():
        # An admin: invoices are accounting's, which a technician's role does not read.
        async with connect(transport, sim.env("amorgan")) as s:
            got_sites = await s.call("cw_list_company_sites", {"company": company["name"]})
            got_unpaid = await s.call("cw_search_invoices", {"unpaid": True, "page_size": 100})
            got_unbilled = await s.call("cw_unbilled_time", {"company": company["identifier"]})
            everyone = await s.call("cw_unbilled_time", {})
            return got_sites, got_unpaid, got_unbilled, everyone

    got_sites, got_unpaid, got_unbilled, everyone = run(go)
    assert not got_sites.is_error, got_sites.text
    out = got_sites.structured
    assert out["company"] == company["name"]
    assert [s["name"] for s in out["sites"]] == sorted(s["name"] for s in sites)
    for s in out["sites"]:
        held = next(x for x in sites if x["id"] == s["id"])
        assert s["address"].startswith(held["addressLine1"]) and held["city"] in s["address"]
        assert ("billing" in s["roles"]) == held["defaultBillingFlag"]

    assert not got_unpaid.is_error, got_unpaid.text
    assert [i["id"] for i in got_unpaid.structured["invoices"]] == [i["id"] for i in unpaid]
    assert all(i["balance"] > 0 and i["balance"] <= i["total"] for i in got_unpaid.structured["invoices"])
    assert all(i["number"].startswith("INV-") for i in got_unpaid.structured["invoices"])

    assert not got_unbilled.is_error, got_unbilled.text
    u = got_unbilled.structured
    assert u["entries"] == len(unbilled) and len(u["companies"]) == 1
    assert abs(u["total_hours"] - round(sum(e["actualHours"] for e in unbilled), 2)) < 1e-6
    assert u["companies"][0]["since"] == min(e["timeStart"][:10] for e in unbilled)
    hours = [c["hours"] for c in everyone.structured["companies"]]
    assert hours == sorted(hours, reverse=True) and everyone.structured["total_hours"] >= u["total_hours"]


def test_one_agreement_and_one_member(sim):
    agreement = sim.api("/finance/agreements", {"pageSize": 1})[0]
    dana = sim.api("/system/members", {"conditions": 'identifier = "dreyes"'})[0]
    text_env = {k: v for k, v in sim.env().items() if k != "MCP_STRUCTURED_CONTENT"}

    async def go():
        async with connect("stdio", sim.env()) as s:
            a = await s.call("cw_get_agreement", {"agreement": agreement["name"][3:], "company": agreement["company"]["name"]})
            by_id = await s.call("cw_get_agreement", {"agreement": str(agreement["id"])})
            m = await s.call("cw_get_member", {"member": "Dana Reyes"})
        async with connect("stdio", text_env) as s:
            t = await s.call("cw_get_member", {"member": "dreyes"})
        return a, by_id, m, t

    a, by_id, m, t = run(go)
    assert by_id.structured == a.structured
    assert not a.is_error, a.text
    terms = {x["what"]: x["value"] for x in a.structured["terms"]}
    assert a.structured["name"] == agreement["name"]
    assert terms["company"] == agreement["company"]["name"] and terms["type"] == agreement["type"]["name"]
    assert terms["starts"] == agreement["startDate"][:10]
    assert not m.is_error, m.text
    facts = {x["what"]: x["value"] for x in m.structured["facts"]}
    assert m.structured["identifier"] == "dreyes" and facts["title"] == dana["title"]
    assert t.text.startswith("dreyes (Dana Reyes") and "title: " in t.text


def test_a_technician_is_told_why_invoices_are_refused(sim):
    async def go():
        async with connect("stdio", sim.env("jchen")) as s:
            return await s.call("cw_search_invoices", {})

    r = run(go)
    assert r.is_error and "403" in r.text and "Finance inquire" in r.text


BAD = [
    ("cw_list_company_sites", {"company": "No Such Company Ltd"}, "company"),
    ("cw_search_invoices", {"conditions": "secretField = 1"}, "secretField"),
    ("cw_search_invoices", {"from": "last tuesday"}, "not a date"),
    ("cw_unbilled_time", {"member": "nobody at all"}, "member"),
    ("cw_get_agreement", {"agreement": "999999"}, "Agreement 999999 does not exist"),
    ("cw_get_agreement", {"agreement": "Managed Services"}, "matches several agreements"),
    ("cw_get_agreement", {"agreement": "Nothing Like This"}, "no agreement named like"),
    ("cw_get_member", {"member": "nobody at all"}, "member"),
]


def test_bad_calls_say_what_to_fix(sim):
    expect_refusals(sim.env("amorgan"), BAD)
