"""Every corpus schema gets a valid answer, in both modes, on 5 seeds, checked by jsonschema and pydantic."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from tests.fake.schema.corpus import corpus
from xai_fake.defaults.chat_answers import ChatAnswers
from xai_fake.defaults.state import State
from xai_sdk.proto import chat_pb2

CORPUS = corpus()
SEEDS = range(5)


def ask(schema: Any, mode: str) -> chat_pb2.GetCompletionsRequest:
    message = chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Answer in JSON")])
    text = json.dumps(schema)
    if mode == "response_format":
        fmt = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=text)
        return chat_pb2.GetCompletionsRequest(model="grok-4", messages=[message], response_format=fmt)
    tool = chat_pb2.Tool(function=chat_pb2.Function(name="record", parameters=text))
    choice = chat_pb2.ToolChoice(mode=chat_pb2.TOOL_MODE_REQUIRED)
    return chat_pb2.GetCompletionsRequest(model="grok-4", messages=[message], tools=[tool], tool_choice=choice)


def answer_of(response: chat_pb2.GetChatCompletionResponse, mode: str) -> str:
    output = response.outputs[0]
    return output.message.content if mode == "response_format" else output.message.tool_calls[0].function.arguments


def check(schema: Any, text: str, model: type[BaseModel] | None) -> None:
    value = json.loads(text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(value)
    if model is not None:
        model.model_validate_json(text)


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 250


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def as_tool_parameters(schema: Any) -> tuple[Any, bool] | None:
    """The schema as function parameters: itself if an object, else wrapped as the one required property.

    Wrapping moves ``$defs``/``definitions`` to the new root, so it keeps only schemas whose
    references all point there (None for the others: root-relative references, ``$id``, anchors).
    """
    if isinstance(schema, dict) and schema.get("type") == "object":
        return schema, False
    text = json.dumps(schema)
    if any(word in text for word in ('"$id"', '"$anchor"', '"$dynamic', '"$recursive')):
        return None
    if not all(ref.startswith(("#/$defs/", "#/definitions/")) for ref in _refs(schema)):
        return None
    inner = dict(schema) if isinstance(schema, dict) else schema
    wrapper: dict[str, Any] = {
        "type": "object", "properties": {"value": inner}, "required": ["value"], "additionalProperties": False,
    }  # fmt: skip
    if isinstance(inner, dict):
        for key in ("$schema", "$defs", "definitions"):
            if key in inner:
                wrapper[key] = inner.pop(key)
    return wrapper, True


CASES = [(name, schema, model, "response_format") for name, schema, model in CORPUS] + [
    (name, schema, model, "tool") for name, schema, model in CORPUS if as_tool_parameters(schema) is not None
]


def test_both_modes_cover_the_corpus() -> None:
    tool = [name for name, _, _, mode in CASES if mode == "tool"]
    assert len(tool) >= 250, f"only {len(tool)} schemas can be asked as tool parameters"


@pytest.mark.parametrize(("name", "schema", "model", "mode"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_every_schema_gets_a_valid_answer(name: str, schema: Any, model: type[BaseModel] | None, mode: str) -> None:
    asked, wrapped = (schema, False) if mode == "response_format" else as_tool_parameters(schema)  # type: ignore[misc]
    for seed in SEEDS:
        response = ChatAnswers(State(seed)).respond(ask(asked, mode))
        text = answer_of(response, mode)
        check(asked, text, None if wrapped else model)
        if wrapped:
            check(schema, json.dumps(json.loads(text)["value"]), model)


def test_same_seed_and_request_give_identical_bytes() -> None:
    for _, schema, _ in CORPUS[::10]:
        first = ChatAnswers(State(3)).respond(ask(schema, "response_format"))
        again = ChatAnswers(State(3)).respond(ask(schema, "response_format"))
        assert answer_of(first, "response_format") == answer_of(again, "response_format")
