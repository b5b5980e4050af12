#!/usr/bin/env python3
"""Regenerates crates/cw-schema/data/{schemas,endpoints}.json from crates/cw-schema/data/contract.

The simulator validates condition fields, `fields=` paths, enums and string lengths against
ConnectWise's own contract, and the client checks raw conditions against the same fields. Every
schema of the contract is embedded, because the simulator serves every documented route and
`cw_get` checks any path's conditions. endpoints.json is the 2025.1 operation list with, for each
operation, the schema it answers with and its shape (list, count, one record, create, update,
delete, action, binary); the schema is read from the summary and the tag, with the overrides
below where the Go model name differs. cw-sim's contract test checks both files still match the
contract data.
Run: python3 scripts/gen-schemas.py
"""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT / "crates" / "cw-schema" / "data" / "contract"
OUT = ROOT / "crates" / "cw-schema" / "data" / "schemas.json"
ENDPOINTS = ROOT / "crates" / "cw-schema" / "data" / "endpoints.json"

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
    out, todo = {}, list(ROOTS) + sorted(derived)
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
    endpoints(derived)


# Names in summaries and tags that are not the Go model's name.
OVERRIDES = {
    "Configuration": "CompanyConfiguration",
    "CompanyTypeAssociation": "CompanyCompanyTypeAssociation",
    "ContactTypeAssociation": "CompanyContactTypeAssociation",
    "Currency": "FinanceCurrency",
    "CampaignSubType": "CampaignSubTypeCampaignSubType",
    "LegacyCampaignSubTypes": "TypeSubTypeCampaignSubType",
    "ProjectStatusesInfo": "ProjectStatusInfo",
    "StageInfo": "OpportunityStageInfo",
    "StageInfos": "OpportunityStageInfo",
    "MyCompanyService": "Service",
    "Usage Count": "Usage",
    "CompanySurveys": "SurveyResult",
    "PurchaseOrdersNote": "PurchaseOrderNote",
    "MemberImages": None,
}
BINARY = ("image", "pdf", "download", "thumbnail", "uploadsample")


def singulars(n):
    out = [n]
    if n.endswith("ies"):
        out.append(n[:-3] + "y")
    if n.endswith("es"):
        out.append(n[:-2])
    if n.endswith("s"):
        out.append(n[:-1])
    return out


def schema_of(derived, tag, summary):
    name = re.sub(r"^(Get List of|Get Count of|Post List of|Get|Post|Put|Patch|Delete|Create|Update)\s*", "", summary)
    if name.startswith("Usage Count"):
        return "Usage"
    first = name.split(" ")[0].split(".")[-1] if name else ""
    for key in (first, tag):
        if key in OVERRIDES:
            return OVERRIDES[key]
    cands = []
    for n in (first, first[3:] if first.startswith("Api") else ""):
        if n:
            cands += singulars(n)
    cands += singulars(tag)
    for c in cands:
        if c in OVERRIDES:
            return OVERRIDES[c]
        if c in derived:
            return c
    return None


def endpoints(derived):
    rows = [l.rstrip("\n").split("\t") for l in (SHARED / "endpoints-2025.1.tsv").read_text().splitlines()[1:]]
    lists = {p for m, p, t, s in rows if m == "GET" and s.startswith("Get List of")}
    gets = {(m, p) for m, p, t, s in rows}
    out = []
    for method, path, tag, summary in rows:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        placeholder = last.startswith("{")
        schema = schema_of(derived, tag, summary)
        if last == "count" or (method == "GET" and "Tab Count" in summary) or last == "quantityOnHand":
            shape, schema = "count", schema_of(derived, tag, summary.replace("Count of", "List of"))
        elif method == "GET" and (last in BINARY or schema is None):
            shape = "binary"
        elif method == "GET" and path.endswith("}/info") is False and path.endswith("/info") and ("GET", path + "/count") in gets:
            shape = "list"  # an `info` list the summary calls singular; its `/count` says list
        elif method == "GET":
            shape = "list" if summary.startswith("Get List of") else "one"
        elif method == "POST" and summary.startswith("Post List of") and path.endswith("/search"):
            shape = "search"
        elif method == "POST" and path in lists:
            shape = "create"
        elif method in ("PUT", "PATCH") and placeholder:
            shape = method.lower()
        elif method == "DELETE" and placeholder:
            shape = "delete"
        else:
            shape = "action"
        out.append([method, path, tag, summary, schema, shape])
    ENDPOINTS.write_text("[\n" + ",\n".join(json.dumps(r) for r in out) + "\n]\n")
    print(f"{ENDPOINTS.relative_to(ROOT)}: {len(out)} operations")


if __name__ == "__main__":
    main()
