"""The contract explorer through a real MCP client: cw_find_endpoint finds the path for data no
other tool reads, cw_get reads it with checked conditions and fields, bounded, and refuses
anything that is not a documented GET."""
import pytest

from harness import connect, run


def test_find_then_get_reads_what_no_other_tool_does(sim, transport):
    async def go():
        async with connect(transport, sim.env()) as s:
            found = await s.call("cw_find_endpoint", {"query": "company sites"})
            sites = await s.call("cw_get", {"path": "/company/companies/4/sites", "fields": "id,name,company/name"})
            tasks = await s.call("cw_get", {"path": "/service/tickets/5/tasks", "conditions": "closedFlag = false or closedFlag = true"})
            count = await s.call("cw_get", {"path": "/service/sources/count"})
            one = await s.call("cw_get", {"path": "/company/companies/4"})
            page = await s.call("cw_get", {"path": "/service/sources", "page_size": 2, "order_by": "id desc"})
            return found, sites, tasks, count, one, page

    found, sites, tasks, count, one, page = run(go)
    assert not found.is_error, found.text
    assert found.structured["endpoints"][0]["path"] == "/company/companies/{parentId}/sites"
    assert not sites.is_error, sites.text
    names = [r["name"] for r in sites.structured["records"]]
    assert names[0] == "Main" and set(sites.structured["records"][0]) == {"id", "name", "company"}
    assert tasks.structured["records"] and all(t["ticketId"] == 5 for t in tasks.structured["records"])
    assert count.structured["count"] == 6
    assert one.structured["records"][0]["id"] == 4
    assert len(page.structured["records"]) == 2 and page.structured["has_more"] is True
    ids = [r["id"] for r in page.structured["records"]]
    assert ids == sorted(ids, reverse=True)
    # Every call was a GET against the contract's own paths.
    reqs = sim.requests()
    assert reqs and all(r["method"] == "GET" for r in reqs)
    assert any(r["path"] == "/company/companies/4/sites" and ("fields", "id,name,company/name") in [tuple(q) for q in r["query"]] for r in reqs)


def test_text_results_fence_records_and_the_toolset_is_off_by_default(sim):
    env = sim.env(default_shape=True)
    explore = dict(env, CW_TOOLSETS="explore")

    async def go():
        async with connect("stdio", env) as s:
            default_names = [t["name"] for t in await s.tools()]
        async with connect("stdio", explore) as s:
            names = [t["name"] for t in await s.tools()]
            found = await s.call("cw_find_endpoint", {"query": "ticket tasks"})
            got = await s.call("cw_get", {"path": "/service/tickets/5/tasks"})
        return default_names, names, found, got

    default_names, names, found, got = run(go)
    assert "cw_get" not in default_names and "cw_find_endpoint" not in default_names
    assert sorted(names) == ["cw_find_endpoint", "cw_get"]
    assert "/service/tickets/{parentId}/tasks" in found.text and "cw_get" in found.text
    assert "<<untrusted text" in got.text and "ticketId" in got.text


BAD = [
    ({"path": "/company/companies/4/sites", "conditions": "nope = 1"}, "nope"),
    ({"path": "/company/companies/4/sites", "fields": "id,secret"}, "'secret' is not a field of CompanySite"),
    ({"path": "/company/companies/4/sites", "order_by": "nope desc"}, "order_by"),
    ({"path": "/company/companies/abc/sites"}, "not a documented ConnectWise GET path"),
    ({"path": "/company/companies?conditions=id=1"}, "give the path alone"),
    ({"path": "/no/such/path"}, "cw_find_endpoint"),
    ({"path": "/system/members/1/image"}, "returns a file"),
    ({"path": "/company/companies/4/sites", "page_size": 500}, None),
    ({"path": "/company/companies/999999"}, "999999"),
]


@pytest.mark.parametrize("args,expect", BAD, ids=[str(i) for i in range(len(BAD))])
def test_cw_get_checks_before_it_sends(sim, args, expect):
    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_get", args)

    before = len(sim.requests())
    r = run(go)
    if expect is None:
        # An oversized page is clamped, not refused.
        assert not r.is_error, r.text
        assert len(r.structured["records"]) <= 50
        return
    assert r.is_error, r.text
    assert expect in r.text, r.text
    sent = sim.requests()[before:]
    if "999999" not in args["path"]:
        assert sent == [], f"nothing reaches ConnectWise for a bad call: {sent}"


def test_find_endpoint_needs_words(sim):
    async def go():
        async with connect("stdio", sim.env()) as s:
            return await s.call("cw_find_endpoint", {"query": "  the  "}), await s.call("cw_find_endpoint", {"query": "invoice payments", "limit": 3})

    empty, payments = run(go)
    assert empty.is_error and "few words" in empty.text
    paths = [e["path"] for e in payments.structured["endpoints"]]
    assert len(paths) == 3 and paths[0].startswith("/finance/invoices/{parentId}/payments")
