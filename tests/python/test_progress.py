"""Progress: a call that checks many records upstream tells a client that asked how far it is,
in order, ending at its total, and before its result; over both transports."""
import re

from harness import connect, run
from test_tools import tenant_facts


def test_a_configuration_scan_reports_progress_before_its_result(sim, transport):
    device = tenant_facts(sim)["attached"][1]["deviceIdentifier"]
    seen = []

    async def go():
        async def progress(done, total, message):
            seen.append((done, total, message))

        async with connect(transport, sim.env()) as s:
            plain = await s.call("cw_search_tickets", {"configuration": device, "state": "all"})
            assert not seen, "no progress unless asked for"
            return await s.call("cw_search_tickets", {"configuration": device, "state": "all"}, progress=progress)

    r = run(go)
    assert not r.is_error, r.text
    scanned = int(re.search(r"of the (\d+) most recently updated", r.structured["note"]).group(1))
    assert scanned > 1, "the scan must check several tickets for this test to mean anything"
    done = [d for d, _, _ in seen]
    assert len(seen) >= 2 and done == sorted(set(done)), seen
    assert all(t == scanned for _, t, _ in seen), seen
    assert done[-1] == scanned, "the last report is the whole scan"
    assert len(seen) <= 22, "reports are thinned"
    assert f"of {scanned} tickets" in seen[-1][2]
