"""MCP beyond tools, through the official SDK: the server declares exactly what it serves;
prompts for a technician's everyday workflows, offered only with the tools they drive;
completions for every kind of name (company, board, a board's or a ticket's statuses,
priority, member, work type, contact, my ticket numbers); resources for my queue, what is
next and my time, and templates for a ticket, a company and a board, read as their tools
show them."""
import pytest
from mcp import types

from harness import connect, run, server_http, session_at
from test_access import ADMIN, VIEWER, with_tokens

EVERYDAY_PROMPTS = ["start_my_day", "close_out", "hand_over", "new_ticket", "end_of_day"]


def _caps(session):
    return session.started.capabilities


def test_capabilities_prompts_and_completions(sim, transport):
    t = sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen" and board/name = "Help Desk"', "pageSize": 1})[0]
    company = sim.api("/company/companies", {"conditions": f"id = {t['company']['id']}"})[0]

    async def go():
        async with connect(transport, sim.env()) as s:
            out = {"caps": _caps(s)}
            out["prompts"] = [p.name for p in (await s.s.list_prompts()).prompts]
            close = await s.s.get_prompt("close_out", {"ticket_id": str(t["id"]), "minutes": "20"})
            out["close"] = close.messages[0].content.text
            try:
                await s.s.get_prompt("hand_over", {"ticket_id": str(t["id"])})
            except Exception as e:  # a required argument left out is a protocol error
                out["missing"] = str(e)
            ref = lambda name: types.PromptReference(type="ref/prompt", name=name)  # noqa: E731
            c = lambda name, arg, value, ctx=None: s.s.complete(ref(name), {"name": arg, "value": value}, ctx)  # noqa: E731
            out["board"] = (await c("new_ticket", "board", "he")).completion.values
            out["priority"] = (await c("new_ticket", "priority", "priority 1")).completion.values
            out["company"] = (await c("new_ticket", "company", company["name"][:5])).completion.values
            out["contact"] = (await c("new_ticket", "contact", t["contact"]["name"].split()[0], {"company": company["name"]})).completion.values
            out["status by ticket"] = (await c("close_out", "status", "", {"ticket_id": str(t["id"])})).completion.values
            out["member"] = (await c("hand_over", "member", "ps")).completion.values
            out["work type"] = (await c("close_out", "work_type", "rem")).completion.values
            out["ticket"] = (await c("close_out", "ticket_id", str(t["id"]))).completion.values
            try:
                await c("start_my_day", "company", "a")
            except Exception as e:
                out["no such argument"] = str(e)
            return out

    o = run(go)
    caps = o["caps"]
    assert caps.tools is not None and caps.prompts is not None and caps.resources is not None and caps.completions is not None
    assert o["prompts"][:5] == EVERYDAY_PROMPTS and not any(p.startswith("cwhome") for p in o["prompts"])
    assert f"ticket_id {t['id']}" in o["close"] and "duration_minutes 20" in o["close"] and "confirm: true only after I agree" in o["close"]
    assert "work_type" not in o["close"], "an optional part left out is not in the text"
    assert "member" in o["missing"]
    assert o["board"] == ["Help Desk"]
    assert o["priority"] and all(p.startswith("Priority 1") for p in o["priority"])
    assert company["name"] in o["company"]
    assert t["contact"]["name"] in o["contact"]
    statuses = [s["name"] for s in sim.api(f"/service/boards/{t['board']['id']}/statuses", {"pageSize": 100}) if not s.get("inactive")]
    assert set(o["status by ticket"]) <= set(statuses) and o["status by ticket"]
    assert "psharma" in o["member"]
    assert o["work type"] and all("rem" in w.lower() for w in o["work type"])
    assert o["ticket"][0] == str(t["id"])
    assert "nothing to complete" in o["no such argument"]


def test_resources_read_as_their_tools_show_them(sim):
    t = sim.api("/service/tickets", {"conditions": 'closedFlag = false and owner/identifier = "jchen"', "pageSize": 1})[0]
    env = {k: v for k, v in sim.env().items() if k != "MCP_STRUCTURED_CONTENT"}

    async def go():
        async with connect("stdio", env) as s:
            fixed = [str(r.uri) for r in (await s.s.list_resources()).resources]
            listed = (await s.s.list_resource_templates()).model_dump(by_alias=True)
            templates = [r["uriTemplate"] for r in listed["resourceTemplates"]]
            ticket = await s.s.read_resource(f"connectwise://tickets/{t['id']}")
            via_tool = await s.call("cw_get_ticket", {"ticket_id": t["id"]})
            company = await s.s.read_resource("connectwise://companies/" + t["company"]["name"].replace(" ", "%20"))
            queue = await s.s.read_resource("connectwise://me/queue")
            errors = {}
            for uri in ("connectwise://tickets/999999", "connectwise://nothing/1", "connectwise://tickets/abc"):
                try:
                    await s.s.read_resource(uri)
                except Exception as e:
                    errors[uri] = str(e)
            return fixed, templates, ticket, via_tool, company, queue, errors

    fixed, templates, ticket, via_tool, company, queue, errors = run(go)
    assert fixed == ["connectwise://me/queue", "connectwise://me/next", "connectwise://me/time/today"]
    assert templates == ["connectwise://tickets/{ticket_id}", "connectwise://companies/{company}", "connectwise://boards/{board}"]
    assert ticket.contents[0].text == via_tool.text
    assert t["company"]["name"] in company.contents[0].text
    assert queue.contents[0].text.startswith("My tickets:")
    assert "does not exist" in errors["connectwise://tickets/999999"]
    assert "no resource" in errors["connectwise://nothing/1"]
    assert "must be a number" in errors["connectwise://tickets/abc"]


def test_a_viewer_is_offered_only_what_it_may_use(sim):
    async def go():
        async with server_http(with_tokens(sim)) as url:
            async with session_at(url, {"Authorization": f"Bearer {VIEWER}"}) as s:
                viewer = [p.name for p in (await s.s.list_prompts()).prompts]
                try:
                    await s.s.get_prompt("close_out", {"ticket_id": "1"})
                    refused = None
                except Exception as e:
                    refused = str(e)
            async with session_at(url, {"Authorization": f"Bearer {ADMIN}"}) as s:
                admin = [p.name for p in (await s.s.list_prompts()).prompts]
            return viewer, refused, admin

    viewer, refused, admin = run(go)
    assert viewer == ["start_my_day"], "the read-only workflow only"
    assert refused and "no prompt close_out" in refused
    assert admin[:5] == EVERYDAY_PROMPTS


@pytest.mark.parametrize("toolsets,caps", [("sales", {"tools"}), ("tickets", {"tools", "prompts", "resources", "completions"})])
def test_declared_capabilities_follow_the_toolsets(sim, toolsets, caps):
    async def go():
        async with connect("stdio", {**sim.env(), "CW_TOOLSETS": toolsets}) as s:
            c = _caps(s)
            return {k for k in ("tools", "prompts", "resources", "completions") if getattr(c, k) is not None}

    assert run(go) == caps
