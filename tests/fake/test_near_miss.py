"""Near-miss answers: each kind is invalid the way it says, through real gRPC, sync and async.

Every check here is independent of the fake's own proof: the content is parsed with
``json.loads`` and validated with ``jsonschema`` (and pydantic for model schemas) in the test.
"""

from __future__ import annotations

import json
import random
from enum import Enum
from typing import Any, Literal

import grpc
import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tests.fake.schema.corpus import corpus
from xai_fake import FakeServer, NearMiss
from xai_fake.schema import generate
from xai_fake.schema.near_miss import NotApplicable, spoil
from xai_sdk.chat import tool, user
from xai_sdk.proto import sample_pb2


class Tier(str, Enum):
    FREE = "free"
    PRO = "pro"


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str
    postcode: str = Field(pattern=r"^[0-9]{5}$")


class Customer(BaseModel):
    """A closed model (``extra="forbid"``), so every kind applies to it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    age: int = Field(ge=0, le=130)
    tier: Tier
    address: Address
    tags: list[str] = Field(default_factory=list, max_length=3)
    status: Literal["active", "closed"] = "active"


SCHEMA = Customer.model_json_schema()
JSON_KINDS = {NearMiss.TRUNCATED, NearMiss.MARKDOWN_FENCE, NearMiss.EMPTY}
#: The jsonschema keywords that must reject a parsed near miss, per kind.
KEYWORDS = {
    NearMiss.MISSING_REQUIRED: {"required"},
    NearMiss.WRONG_TYPE: {"type"},
    NearMiss.EXTRA_PROPERTY: {"additionalProperties", "unevaluatedProperties"},
}


def causes(error: jsonschema.ValidationError) -> set[str]:
    found = {str(error.validator)}
    for sub in error.context or ():
        found |= causes(sub)
    return found


def assert_broken(kind: NearMiss, schema: Any, text: str) -> None:
    """``text`` is invalid against ``schema`` exactly the way ``kind`` says."""
    if kind in JSON_KINDS:
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        if kind is NearMiss.EMPTY:
            assert text == ""
        if kind is NearMiss.MARKDOWN_FENCE:
            assert text.startswith("```json\n") and text.endswith("\n```")
            jsonschema.validate(json.loads(text[8:-4]), schema)  # the fenced JSON itself is valid
        return
    value = json.loads(text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(value))
    assert errors, f"{kind.value} answer is valid: {text}"
    assert set().union(*(causes(e) for e in errors)) & KEYWORDS[kind], (kind, [e.message for e in errors])


MODES = ("response_format", "tool")


def chat_kwargs(mode: str) -> dict[str, Any]:
    if mode == "response_format":
        return {"response_format": Customer}
    return {"tools": [tool("save_customer", "Save a customer", SCHEMA)], "tool_choice": "required"}


def answer_text(response: Any, mode: str) -> str:
    return str(response.content if mode == "response_format" else response.tool_calls[0].function.arguments)


def check_answer(kind: NearMiss, mode: str, response: Any) -> None:
    text = answer_text(response, mode)
    assert_broken(kind, SCHEMA, text)
    if kind is not NearMiss.EMPTY:
        with pytest.raises(ValidationError):
            Customer.model_validate_json(text)
    if kind is NearMiss.TRUNCATED:
        reason = sample_pb2.REASON_MAX_LEN
    else:
        reason = sample_pb2.REASON_STOP if mode == "response_format" else sample_pb2.REASON_TOOL_CALLS
    assert response.proto.outputs[0].finish_reason == reason


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(NearMiss), ids=lambda k: k.value)
def test_each_kind_is_broken_the_way_it_says_sync(fake: FakeServer, kind: NearMiss, mode: str) -> None:
    fake.chat.near_miss(kind)
    with fake.client() as client:
        chat = client.chat.create("grok-4", **chat_kwargs(mode))
        chat.append(user("Save the customer"))
        check_answer(kind, mode, chat.sample())
        # times=1 by default: the next answer is valid again.
        Customer.model_validate_json(answer_text(chat.sample(), mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(NearMiss), ids=lambda k: k.value)
async def test_each_kind_is_broken_the_way_it_says_async(fake: FakeServer, kind: NearMiss, mode: str) -> None:
    fake.chat.near_miss(kind.value)  # the kind's name works too
    client = fake.async_client()
    try:
        chat = client.chat.create("grok-4", **chat_kwargs(mode))
        chat.append(user("Save the customer"))
        check_answer(kind, mode, await chat.sample())
        Customer.model_validate_json(answer_text(await chat.sample(), mode))
    finally:
        await client.close()


async def test_a_streamed_near_miss_joins_to_the_spoiled_text(fake: FakeServer) -> None:
    fake.chat.near_miss(NearMiss.TRUNCATED)
    client = fake.async_client()
    try:
        chat = client.chat.create("grok-4", response_format=Customer)
        chat.append(user("Who?"))
        pieces = [chunk.content async for _, chunk in chat.stream()]
        assert len(pieces) > 1
        assert_broken(NearMiss.TRUNCATED, SCHEMA, "".join(pieces))
    finally:
        await client.close()


class Open(BaseModel):
    note: str | None = None


def test_a_kind_that_cannot_apply_fails_the_call_saying_why(fake: FakeServer) -> None:
    fake.chat.near_miss("extra_property")
    with fake.client() as client:
        chat = client.chat.create("grok-4", response_format=Open)
        chat.append(user("Anything?"))
        with pytest.raises(grpc.RpcError) as info:
            chat.sample()
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "near_miss('extra_property')" in info.value.details()
    assert "allows extra properties" in info.value.details()


def test_plain_text_requests_get_no_near_miss(fake: FakeServer) -> None:
    fake.chat.near_miss(NearMiss.EMPTY)
    with fake.client() as client:
        chat = client.chat.create("grok-4")
        chat.append(user("Hi"))
        with pytest.raises(grpc.RpcError) as info:
            chat.sample()
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "asks for text" in info.value.details()


def test_an_unknown_kind_is_refused_when_scripted(fake: FakeServer) -> None:
    with pytest.raises(ValueError, match="unknown near-miss kind 'typo'; use one of 'truncated'"):
        fake.chat.near_miss("typo")


CORPUS = corpus()
#: How many corpus schemas each kind must apply to (measured on 2026-12-01: 251, 203, 254, 4, 260, 260
#: of 260). Refusals are for answers too short to cut, schemas that require nothing, and so on.
APPLIES_AT_LEAST = {
    NearMiss.TRUNCATED: 245,
    NearMiss.MISSING_REQUIRED: 190,
    NearMiss.WRONG_TYPE: 245,
    NearMiss.EXTRA_PROPERTY: 4,
    NearMiss.MARKDOWN_FENCE: len(CORPUS),
    NearMiss.EMPTY: len(CORPUS),
}


@pytest.mark.parametrize("kind", list(NearMiss), ids=lambda k: k.value)
def test_over_the_corpus_every_near_miss_is_invalid_or_refused(kind: NearMiss) -> None:
    """Across the corpus, a spoiled answer is always broken the way it says, or refused with a reason."""
    applied = 0
    for name, schema, _model in CORPUS:
        rng = random.Random(name)
        value = generate(schema, rng, ["alpha", "beta"])
        closed_root = isinstance(schema, dict) and schema.get("additionalProperties") is False
        try:
            spoiled = spoil(kind, json.dumps(schema), value, rng)
        except NotApplicable as error:
            assert not (kind is NearMiss.EXTRA_PROPERTY and closed_root and isinstance(value, dict)), name
            if kind is NearMiss.TRUNCATED:
                assert isinstance(value, (int, float)) and len(json.dumps(value)) <= 3, (name, value)
            assert str(error), name
            continue
        applied += 1
        assert_broken(kind, schema, spoiled)
    assert applied >= APPLIES_AT_LEAST[kind], applied
