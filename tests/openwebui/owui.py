"""OpenWebUI 0.12.4's own client code, run as OpenWebUI runs it.

The MCP client (`open_webui.utils.mcp.client.MCPClient`) imports on its own. The tool-server
code (`open_webui.utils.tools`) and the tool-result code (`open_webui.utils.middleware`) cannot:
their modules import the whole application, vector stores and ML stack included. So the
functions a tool-server call goes through are read from the installed package's source and
executed unchanged, with the module-level names they use supplied: what OpenWebUI does with
an OpenAPI document, a call and its answer is its code, not a copy of it."""
from __future__ import annotations

import ast
import base64
import copy
import importlib.util
import inspect
import json
import logging
import os
import pathlib
import re
import tempfile
from typing import Any, Callable, get_type_hints
from urllib.parse import quote, urlencode

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="owui-data-"))
os.environ.setdefault("WEBUI_SECRET_KEY", "connectwise-mcp-tests")

import aiohttp  # noqa: E402
import yaml  # noqa: E402
from langchain_core.utils.function_calling import convert_to_openai_function  # noqa: E402
from open_webui import env as owui_env  # noqa: E402
from open_webui.utils.json_codec import JSONCodec  # noqa: E402
from open_webui.utils.mcp.client import MCPClient  # noqa: E402,F401
from pydantic import BaseModel, Field, create_model  # noqa: E402
from starlette.responses import HTMLResponse  # noqa: E402

PACKAGE = pathlib.Path(importlib.util.find_spec("open_webui").submodule_search_locations[0])


def _load(relpath: str, names: set[str], namespace: dict) -> dict:
    """Executes the top-level definitions `names` of an OpenWebUI source file in `namespace`."""
    path = PACKAGE / relpath
    tree = ast.parse(path.read_text())
    picked = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            picked.append(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets):
            picked.append(node)
    found = {getattr(n, "name", None) or n.targets[0].id for n in picked}
    missing = names - found
    assert not missing, f"OpenWebUI {relpath} no longer defines {missing}"
    namespace.setdefault("__name__", "open_webui." + relpath.removesuffix(".py").replace("/", "."))
    exec(compile(ast.Module(body=picked, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


_common = {
    "Any": Any, "Callable": Callable, "get_type_hints": get_type_hints, "inspect": inspect, "re": re,
    "copy": copy, "json": json, "base64": base64, "quote": quote, "urlencode": urlencode,
    "aiohttp": aiohttp, "yaml": yaml, "JSONCodec": JSONCodec, "log": logging.getLogger("owui"),
    "BaseModel": BaseModel, "Field": Field, "create_model": create_model, "HTMLResponse": HTMLResponse,
}

tools = _load(
    "utils/tools.py",
    {"OPENAPI_HTTP_METHODS", "resolve_schema", "convert_openapi_to_tool_payload", "get_tool_server_data",
     "execute_tool_server", "parse_description", "parse_docstring", "convert_function_to_pydantic_model",
     "clean_properties", "clean_openai_tool_schema", "get_functions_from_tool", "get_tool_specs"},
    {**_common,
     "ENABLE_TOOL_SERVERS": True,
     "AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA": owui_env.AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA,
     "AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER": owui_env.AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER,
     "AIOHTTP_CLIENT_SESSION_TOOL_SERVER_SSL": owui_env.AIOHTTP_CLIENT_SESSION_TOOL_SERVER_SSL,
     "AIOHTTP_CLIENT_ALLOW_REDIRECTS": owui_env.AIOHTTP_CLIENT_ALLOW_REDIRECTS,
     "convert_pydantic_model_to_openai_function_spec": convert_to_openai_function},
)


async def _no_file_store(*_a, **_k):
    raise AssertionError("a ConnectWise result is never a file")


middleware = _load(
    "utils/middleware.py",
    {"BASE64_IMAGE_DATA_URI_RE", "extract_base64_images", "process_tool_result"},
    {**_common, "get_file_url_from_base64": _no_file_store},
)

convert_openapi_to_tool_payload = tools["convert_openapi_to_tool_payload"]
get_tool_server_data = tools["get_tool_server_data"]
execute_tool_server = tools["execute_tool_server"]
get_tool_specs = tools["get_tool_specs"]


async def model_text_openapi(name: str, result) -> str:
    """What the model receives for an OpenAPI tool-server call's `(data, headers)`."""
    text, _files, _embeds = await middleware["process_tool_result"](None, name, result, "external")
    return text


async def model_text_mcp(name: str, blocks: list) -> str:
    """What the model receives for a native MCP call's content blocks."""
    text, _files, _embeds = await middleware["process_tool_result"](None, name, blocks, "mcp")
    return text
