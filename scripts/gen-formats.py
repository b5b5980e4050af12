#!/usr/bin/env python3
"""Regenerates crates/cw-schema/data/formats.json: the enums and string formats of ConnectWise's
contract that the shared derived schemas leave out (they record `string` for an enum, a UUID or
a date alike).

The facts come from the full 2025.x OpenAPI document as the pyconnectwise package encodes it in
its generated pydantic models (pyconnectwise==0.6.1.2, the version tests/pyconnectwise pins):
for each schema and property, the allowed values of an enum, or `uuid`, `date-time`, `date`.
Only these facts are read, by introspecting the models; no code is copied. A field that the
2026.4 GET subset already gives an enum keeps that one.
Run: scripts/test-deps && target/test-deps/py-cw/bin/python scripts/gen-formats.py
"""
import datetime
import json
import pathlib
import typing
import uuid

import pydantic
from pyconnectwise.models import manage

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "crates" / "cw-schema" / "data" / "schemas.json"
OUT = ROOT / "crates" / "cw-schema" / "data" / "formats.json"
# pyconnectwise's class names are the spec's; the derived schemas use the Go client's.
GO_NAME = {"Configuration": "CompanyConfiguration"}


def leaves(t):
    args = typing.get_args(t)
    if typing.get_origin(t) is typing.Annotated:
        return leaves(args[0])
    if args and typing.get_origin(t) is not typing.Literal:
        return [x for a in args for x in leaves(a)]
    return [t]


def fact(annotation):
    for t in leaves(annotation):
        if typing.get_origin(t) is typing.Literal:
            return list(typing.get_args(t))
        if t is uuid.UUID:
            return "uuid"
        if t is datetime.datetime:
            return "date-time"
        if t is datetime.date:
            return "date"
    return None


def main():
    ours = json.loads(SCHEMAS.read_text())
    out = {}
    for cls_name in dir(manage):
        cls = getattr(manage, cls_name)
        if not (isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)):
            continue
        name = GO_NAME.get(cls_name, cls_name)
        if name not in ours:
            continue
        props, enums = ours[name]["properties"], ours[name].get("enums", {})
        entry = {}
        for field in cls.model_fields.values():
            alias = field.alias
            if alias not in props or alias in enums:
                continue
            f = fact(field.annotation)
            base = props[alias].split("|")[0]
            if isinstance(f, list) and base == "string":
                entry[alias] = f
            elif isinstance(f, str) and base == "string":
                entry[alias] = f
        if entry:
            out[name] = dict(sorted(entry.items()))
    OUT.write_text(json.dumps(dict(sorted(out.items())), indent=0, sort_keys=True) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {sum(len(v) for v in out.values())} facts for {len(out)} schemas")


if __name__ == "__main__":
    main()
