"""OpenAI-shaped ``tool_choice``, ``response_format`` and tool dicts, translated to the xAI protos.

Code ported from the OpenAI SDK passes these as plain dicts; each is translated to exactly the
proto the xAI form gives (``required_tool(name)``, ``ResponseFormat(...)`` with the schema as
``json.dumps`` writes it, ``tool(name, description, parameters)``). Both the Chat Completions
shapes (``{"type": "function", "function": {...}}``) and the flat Responses API shapes
(``{"type": "function", "name": ...}``) are accepted. A ``json_schema``'s ``name``,
``description`` and ``strict`` have no field in xAI's ResponseFormat and are accepted and not
sent; any other unknown key is a ValueError naming it, so a misspelt key never goes missing silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from xai_sdk.proto import chat_pb2

_TOOL_MODES = {
    "auto": chat_pb2.TOOL_MODE_AUTO,
    "none": chat_pb2.TOOL_MODE_NONE,
    "required": chat_pb2.TOOL_MODE_REQUIRED,
}
_FUNCTION_KEYS = frozenset({"name", "description", "parameters", "strict"})
#: A ``json_schema``'s ``name``, ``description`` and ``strict``: xAI's ResponseFormat has no field for
#: them (it carries the schema alone), so they are accepted and not sent.
_SCHEMA_KEYS = frozenset({"name", "description", "schema", "strict"})


def _check_keys(what: str, value: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(
            f"Invalid {what}: unknown key {unknown[0]!r} in {dict(value)!r}; the keys it takes are "
            f"{', '.join(repr(key) for key in sorted(allowed))}"
        )


def _type(what: str, value: Mapping[str, Any], choices: tuple[str, ...]) -> str:
    kind = value.get("type")
    if kind not in choices:
        raise ValueError(f"Invalid {what}: 'type' is {kind!r}; it must be one of {', '.join(repr(c) for c in choices)}")
    return str(kind)


def _name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"Invalid {what}: the function 'name' must be a non-empty string, got {value!r}")
    return value


def tool_choice(value: Mapping[str, Any]) -> chat_pb2.ToolChoice:
    """``{"type": "function", "function": {"name": N}}`` or ``{"type": "function", "name": N}``: call N.

    ``{"type": "auto" | "none" | "required"}`` (the Responses API's spelling of the modes) is a mode.
    """
    what = "tool_choice"
    kind = _type(what, value, ("function", *_TOOL_MODES))
    if kind in _TOOL_MODES:
        _check_keys(what, value, frozenset({"type"}))
        return chat_pb2.ToolChoice(mode=_TOOL_MODES[kind])
    if "function" in value:
        _check_keys(what, value, frozenset({"type", "function"}))
        function = value["function"]
        if not isinstance(function, Mapping):
            raise ValueError(f"Invalid {what}: 'function' must be a dict with a 'name', got {function!r}")
        _check_keys(f"{what} function", function, frozenset({"name"}))
        return chat_pb2.ToolChoice(function_name=_name(what, function.get("name")))
    _check_keys(what, value, frozenset({"type", "name"}))
    return chat_pb2.ToolChoice(function_name=_name(what, value.get("name")))


def response_format(value: Mapping[str, Any]) -> chat_pb2.ResponseFormat:
    """``{"type": "text" | "json_object"}``, or ``{"type": "json_schema", "json_schema": {"schema": S, ...}}``.

    The flat Responses API form ``{"type": "json_schema", "name": ..., "schema": S}`` works too. The
    schema goes out as ``json.dumps(S)``, as a pydantic model's does.
    """
    what = "response_format"
    kind = _type(what, value, ("text", "json_object", "json_schema"))
    if kind != "json_schema":
        _check_keys(what, value, frozenset({"type"}))
        format_type = chat_pb2.FORMAT_TYPE_TEXT if kind == "text" else chat_pb2.FORMAT_TYPE_JSON_OBJECT
        return chat_pb2.ResponseFormat(format_type=format_type)
    if "json_schema" in value:
        _check_keys(what, value, frozenset({"type", "json_schema"}))
        spec = value["json_schema"]
        if not isinstance(spec, Mapping):
            raise ValueError(f"Invalid {what}: 'json_schema' must be a dict with a 'schema', got {spec!r}")
        _check_keys(f"{what} json_schema", spec, _SCHEMA_KEYS)
    else:
        spec = value
        _check_keys(what, value, _SCHEMA_KEYS | {"type"})
    schema = spec.get("schema")
    if not isinstance(schema, (Mapping, bool)):
        raise ValueError(f"Invalid {what}: 'schema' must be a JSON schema (a dict), got {schema!r}")
    return chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(schema))


def tool(value: Mapping[str, Any]) -> chat_pb2.Tool:
    """``{"type": "function", "function": {"name", "description", "parameters", "strict"}}``, or the flat form."""
    what = "tool"
    _type(what, value, ("function",))
    if "function" in value:
        _check_keys(what, value, frozenset({"type", "function"}))
        function = value["function"]
        if not isinstance(function, Mapping):
            raise ValueError(f"Invalid {what}: 'function' must be a dict with a 'name', got {function!r}")
    else:
        function = value
    _check_keys(f"{what} function", function, _FUNCTION_KEYS | ({"type"} if function is value else set()))
    parameters = function.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(parameters, Mapping):
        raise ValueError(f"Invalid {what}: 'parameters' must be a JSON schema (a dict), got {parameters!r}")
    description = function.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"Invalid {what}: 'description' must be a string, got {description!r}")
    return chat_pb2.Tool(
        function=chat_pb2.Function(
            name=_name(what, function.get("name")),
            description=description,
            strict=bool(function.get("strict", False)),
            parameters=json.dumps(parameters),
        )
    )
