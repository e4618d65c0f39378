"""OpenAI-shaped ``tools``, ``tool_choice`` and ``response_format`` dicts give the protos of the xAI forms."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from xai_fake import FakeServer
from xai_sdk.chat import required_tool, tool, user
from xai_sdk.proto import chat_pb2

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


class City(BaseModel):
    name: str
    population: int


def request_of(client: Any, **create: Any) -> chat_pb2.GetCompletionsRequest:
    return client.chat.create("grok-4", messages=[user("Hi")], **create)._proto  # type: ignore[no-any-return]


# (OpenAI-shaped arguments, the same in the xAI forms)
EQUIVALENT: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "chat-completions-tool",
        {
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "get_weather", "description": "Weather", "parameters": WEATHER},
                }
            ]
        },
        {"tools": [tool("get_weather", "Weather", WEATHER)]},
    ),
    (
        "responses-api-tool",
        {"tools": [{"type": "function", "name": "get_weather", "description": "Weather", "parameters": WEATHER}]},
        {"tools": [tool("get_weather", "Weather", WEATHER)]},
    ),
    (
        "mixed-tool-list",
        {
            "tools": [
                tool("a", "A", WEATHER),
                {"type": "function", "function": {"name": "b", "description": "B", "parameters": WEATHER}},
            ]
        },
        {"tools": [tool("a", "A", WEATHER), tool("b", "B", WEATHER)]},
    ),
    (
        "chat-completions-tool-choice",
        {
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "tools": [tool("get_weather", "Weather", WEATHER)],
        },
        {"tool_choice": required_tool("get_weather"), "tools": [tool("get_weather", "Weather", WEATHER)]},
    ),
    (
        "responses-api-tool-choice",
        {
            "tool_choice": {"type": "function", "name": "get_weather"},
            "tools": [tool("get_weather", "Weather", WEATHER)],
        },
        {"tool_choice": required_tool("get_weather"), "tools": [tool("get_weather", "Weather", WEATHER)]},
    ),
    ("tool-choice-mode", {"tool_choice": {"type": "required"}}, {"tool_choice": "required"}),
    (
        "json-schema",
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "City", "schema": City.model_json_schema()},
            }
        },
        {"response_format": City},
    ),
    (
        "json-schema-strict",
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "City", "strict": True, "schema": City.model_json_schema()},
            }
        },
        {"response_format": City},
    ),
    (
        "responses-api-json-schema",
        {"response_format": {"type": "json_schema", "name": "City", "schema": City.model_json_schema()}},
        {"response_format": City},
    ),
    ("json-object", {"response_format": {"type": "json_object"}}, {"response_format": "json_object"}),
    ("text", {"response_format": {"type": "text"}}, {"response_format": "text"}),
]


async def done(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("openai_form", "xai_form"), [case[1:] for case in EQUIVALENT], ids=[c[0] for c in EQUIVALENT])
async def test_each_openai_shape_sends_the_request_of_the_xai_form(
    xai_fake_server: FakeServer, mode: str, openai_form: dict[str, Any], xai_form: dict[str, Any]
) -> None:
    client = xai_fake_server.client() if mode == "sync" else xai_fake_server.async_client()
    try:
        expected = request_of(client, **xai_form)
        assert request_of(client, **openai_form) == expected
        # Through real gRPC: the fake receives exactly the xAI form's request.
        await done(client.chat.create("grok-4", messages=[user("Hi")], **openai_form).sample())
        assert xai_fake_server.requests.last("Chat/GetCompletion") == expected
    finally:
        await done(client.close())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tool_choice": {"type": "function", "function": {"name": "f", "strict": True}}}, "unknown key 'strict'"),
        ({"tool_choice": {"type": "allowed_tools", "tools": []}}, "'type' is 'allowed_tools'"),
        ({"tool_choice": {"type": "function", "function": {}}}, "'name' must be a non-empty string"),
        ({"tool_choice": {"type": "function", "nmae": "f"}}, "unknown key 'nmae'"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"schema": {}, "schemas": {}}}},
            "unknown key 'schemas'",
        ),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "'schema' must be a JSON schema"),
        ({"response_format": {"type": "json_object", "schema": {}}}, "unknown key 'schema'"),
        ({"response_format": {"type": "yaml"}}, "'type' is 'yaml'"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameter": {}}}]}, "unknown key 'parameter'"),
        ({"tools": [{"type": "web_search"}]}, "'type' is 'web_search'"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": "{}"}}]},
            "'parameters' must be a JSON schema",
        ),
    ],
)
def test_a_wrong_shape_is_a_value_error_naming_the_problem(
    xai_fake_server: FakeServer, arguments: dict[str, Any], message: str
) -> None:
    with xai_fake_server.client() as client, pytest.raises(ValueError, match=message):
        request_of(client, **arguments)


def test_a_function_without_parameters_takes_none() -> None:
    from xai_sdk._chat.openai_shapes import tool as from_dict

    assert from_dict({"type": "function", "function": {"name": "now"}}) == tool(
        "now", "", {"type": "object", "properties": {}}
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)
schemas = st.dictionaries(st.text(max_size=8), json_values, max_size=4)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(name=st.text(min_size=1, max_size=20), description=st.text(max_size=30), parameters=schemas, flat=st.booleans())
def test_any_function_dict_equals_the_tool_helper(
    name: str, description: str, parameters: dict[str, Any], flat: bool
) -> None:
    from xai_sdk._chat import openai_shapes

    function = {"name": name, "description": description, "parameters": parameters}
    shape = {"type": "function", **function} if flat else {"type": "function", "function": function}
    assert openai_shapes.tool(shape) == tool(name, description, parameters)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(schema=schemas, name=st.text(min_size=1, max_size=10))
def test_any_json_schema_dict_is_sent_as_json_dumps_writes_it(schema: dict[str, Any], name: str) -> None:
    from xai_sdk._chat import openai_shapes

    proto = openai_shapes.response_format({"type": "json_schema", "json_schema": {"name": name, "schema": schema}})
    assert proto == chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(schema))
