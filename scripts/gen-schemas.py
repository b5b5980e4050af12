#!/usr/bin/env python3
"""Regenerates crates/cw-schema/data/schemas.json from ../shared/cw-openapi.

The simulator validates condition fields, `fields=` paths, enums and string lengths against
ConnectWise's own contract, and the client checks raw conditions against the same fields. Only
the schemas served, plus everything they reference, are embedded; cw-sim's contract test
checks this file still matches the shared data.
Run: python3 scripts/gen-schemas.py
"""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "cw-openapi"
OUT = ROOT / "crates" / "cw-schema" / "data" / "schemas.json"

ROOTS = [
    "Ticket", "ServiceNote", "ServiceTicketNote", "TimeEntry", "TimeSheet", "Board",
    "BoardStatus", "BoardType", "BoardSubType", "BoardItem", "Priority", "Company",
    "CompanyStatus", "Contact", "CompanyConfiguration", "Member", "Info", "MyAccount",
    "Opportunity", "Agreement", "Project", "ProjectPhase", "ProjectTicket", "TicketNote",
    "ProjectTicketNote", "Activity", "ScheduleEntry", "WorkType", "WorkRole",
    "ErrorResponseMessage", "ValidationError", "Count", "SuccessResponse", "PatchOperation",
    "ConfigurationReference",
]
# Go model names that differ from the spec's schema names (for enums from the 2026.4 subset).
SPEC_NAME = {"CompanyConfiguration": "Configuration"}


def main():
    derived = json.loads((SHARED / "schemas-derived-2025.1.json").read_text())["schemas"]
    spec = json.loads(
        (SHARED / "connectwise-manage-openapi-2026.4-GET-subset.json").read_text()
    )["components"]["schemas"]
    out, todo = {}, list(ROOTS)
    while todo:
        name = todo.pop()
        if name in out or name not in derived:
            continue
        schema = derived[name]
        entry = {"required": schema["required"], "properties": schema["properties"]}
        for t in schema["properties"].values():
            m = re.fullmatch(r"(?:array<)?([A-Z]\w*)>?(?:\|null)?", t)
            if m:
                todo.append(m.group(1))
        spec_schema = spec.get(SPEC_NAME.get(name, name), {})
        enums, max_len = {}, {}
        for prop, p in spec_schema.get("properties", {}).items():
            if prop in schema["properties"] and "enum" in p:
                enums[prop] = p["enum"]
            m = re.search(r"Max length: (\d+);", p.get("description", ""))
            if m:
                max_len[prop] = int(m.group(1))
        if enums:
            entry["enums"] = enums
        if max_len:
            entry["maxLength"] = max_len
        out[name] = entry
    OUT.write_text(json.dumps(dict(sorted(out.items())), indent=0, sort_keys=True) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(out)} schemas")


if __name__ == "__main__":
    main()
