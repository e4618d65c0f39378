"""The schema engine: clear INVALID_ARGUMENTs, random schemas never crash it, and answers over real gRPC."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake.schema.corpus import Deep, Identifiers, Invoice
from tests.fake.schema.test_corpus import answer_of, ask
from xai_fake import FakeRpcError, FakeServer
from xai_fake.defaults.chat_answers import ChatAnswers
from xai_fake.defaults.state import State
from xai_fake.schema import NotYetSupported, Unsatisfiable, generate


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {
                "type": "object",
                "properties": {"age": {"type": "integer", "minimum": 5, "maximum": 3}},
                "required": ["age"],
            },
            "cannot be satisfied: minimum 5 > maximum 3 at $.properties.age",
        ),
        ({"type": "string", "minLength": 4, "maxLength": 2}, "minLength 4 > maxLength 2 at $"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "allOf asks for type"),
        ({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, "an integer has no value between 0 and 1"),
        (False, "the false schema accepts no value"),
        ({"type": "array", "minItems": 3, "maxItems": 1}, "minItems 3 > maxItems 1"),
        ({"$ref": "#/$defs/missing"}, "not a JSON schema xai_fake can follow"),
        ({"type": 12}, "not a JSON schema xai_fake can follow"),
    ],
)
def test_unsatisfiable_schemas_are_invalid_arguments_naming_keyword_and_path(schema: Any, message: str) -> None:
    with pytest.raises(FakeRpcError) as raised:
        ChatAnswers(State(1)).respond(ask(schema, "response_format"))
    assert raised.value.code.name == "INVALID_ARGUMENT"
    assert message in raised.value.details


LEAF = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 8),
            "maxLength": st.integers(0, 8),
            "pattern": st.sampled_from(["^[a-z]+$", r"\d", "^x"]),
            "format": st.sampled_from(["email", "date", "ipv4", "uuid"]),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": st.integers(-20, 20),
            "maximum": st.integers(-20, 20),
            "exclusiveMinimum": st.integers(-20, 20),
            "multipleOf": st.sampled_from([2, 3, 0.5]),
        },
    ),
    st.fixed_dictionaries(
        {"enum": st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), min_size=1, max_size=4)}
    ),
    st.booleans(),
    st.just({"type": "boolean"}),
)
SCHEMAS = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(
            lambda props, n: {"type": "object", "properties": props, "required": sorted(props)[:n]},
            st.dictionaries(st.sampled_from(["name", "age", "city", "x", "y"]), inner, max_size=4),
            st.integers(0, 4),
        ),
        st.fixed_dictionaries(
            {"type": st.just("array"), "items": inner},
            optional={"minItems": st.integers(0, 3), "maxItems": st.integers(0, 4), "uniqueItems": st.booleans()},
        ),
        st.builds(lambda parts: {"anyOf": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"allOf": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=8,
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(schema=SCHEMAS, seed=st.integers(0, 2**32))
def test_random_schemas_get_a_valid_value_or_a_clear_refusal(schema: Any, seed: int) -> None:
    try:
        value = generate(schema, random.Random(seed), ["alpha", "beta"])
    except (Unsatisfiable, NotYetSupported) as error:
        assert " at $" in str(error)
        return
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        value
    )


ORDER = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "tags": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{3,6}$"},
            "uniqueItems": True,
            "minItems": 2,
        },
    },
    "required": ["id", "tags"],
    "additionalProperties": False,
}


def test_over_grpc_sync_in_both_modes() -> None:
    import grpc

    from xai_sdk.proto import chat_pb2_grpc

    with FakeServer(seed=4) as fake, grpc.insecure_channel(fake.address) as channel:
        stub = chat_pb2_grpc.ChatStub(channel)
        metadata = (("authorization", "Bearer test-key"),)
        for mode in ("response_format", "tool"):
            text = answer_of(stub.GetCompletion(ask(ORDER, mode), metadata=metadata), mode)
            jsonschema.validate(json.loads(text), ORDER)


@pytest.mark.parametrize("model", [Invoice, Identifiers, Deep])
def test_the_sdk_parses_pydantic_models_sync(model: type[Any]) -> None:
    from xai_sdk.chat import user

    with FakeServer(seed=2) as fake:
        chat = fake.client().chat.create("grok-4", messages=[user("As JSON")])
        _, parsed = chat.parse(model)
        assert isinstance(parsed, model)


async def test_the_sdk_parses_pydantic_models_async() -> None:
    from xai_sdk.chat import user

    async with FakeServer(seed=3) as fake:
        chat = fake.async_client().chat.create("grok-4", messages=[user("As JSON")])
        _, parsed = await chat.parse(Invoice)
        assert isinstance(parsed, Invoice)
