"""The schema engine: clear INVALID_ARGUMENTs, random schemas never crash it, and answers over real gRPC."""

from __future__ import annotations

import inspect
import json
import random
import re
import subprocess
import sys
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
from xai_fake.schema import InvalidSchema, NotYetSupported, Unsatisfiable, generate, generate_text


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
        ({"$ref": "https://example.com/elsewhere.json"}, "$ref 'https://example.com/elsewhere.json' points outside"),
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


def _valid(schema: Any, value: Any, registry: Any = None) -> bool:
    kwargs = {} if registry is None else {"registry": registry}
    cls = jsonschema.Draft202012Validator
    return bool(cls(schema, format_checker=cls.FORMAT_CHECKER, **kwargs).is_valid(value))


def _values(schema: Any, seeds: range = range(6), **kwargs: Any) -> list[Any]:
    return [generate(schema, random.Random(seed), ["alpha", "beta"], **kwargs) for seed in seeds]


def test_resources_are_a_keyword_only_parameter() -> None:
    for function in (generate, generate_text):
        parameters = list(inspect.signature(function).parameters.values())
        assert [p.kind for p in parameters[:3]] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 3
        assert parameters[3].name == "resources"
        assert parameters[3].kind is inspect.Parameter.KEYWORD_ONLY


def test_references_reach_the_resources_passed_as_a_mapping_or_a_registry() -> None:
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    remote = {
        "$defs": {"count": {"type": "integer", "minimum": 3, "maximum": 9}},
        "type": "object",
        "properties": {"n": {"$ref": "#/$defs/count"}},
        "required": ["n"],
    }
    uri = "https://schemas.example.com/counted.json"
    schema = {"type": "array", "items": {"$ref": uri}, "minItems": 1}
    registry = Registry().with_contents([(uri, remote)], default_specification=DRAFT202012)
    for resources in ({uri: remote}, registry):
        for value in _values(schema, resources=resources):
            assert _valid(schema, value, registry)
            assert all(3 <= item["n"] <= 9 for item in value)
    with pytest.raises(InvalidSchema, match=re.escape(f"$ref {uri!r} points outside the schema")):
        generate(schema, random.Random(0), ["alpha"])  # a real request carries no resources


def test_the_metaschemas_are_known_without_resources() -> None:
    schema = {"$ref": "https://json-schema.org/draft/2020-12/schema"}
    values = _values(schema)
    assert all(_valid(schema, value) for value in values)
    assert any(isinstance(value, dict) and value for value in values), "only booleans and {} for the metaschema"


def test_urn_ids_with_pointer_and_relative_references() -> None:
    schema = {
        "$id": "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed",
        "type": "object",
        "properties": {
            "foo": {"$ref": "#/$defs/bar"},
            "baz": {"$ref": "urn:uuid:deadbeef-1234-ffff-ffff-4321feebdaed#/$defs/bar"},
        },
        "required": ["foo", "baz"],
        "$defs": {"bar": {"type": "string", "minLength": 3}},
    }
    for value in _values(schema):
        assert _valid(schema, value)


def test_a_reference_into_another_resource_reads_its_references_there_and_its_siblings_here() -> None:
    schema = {
        "$id": "https://example.com/root.json",
        "type": "object",
        "properties": {"item": {"$ref": "nested/item.json", "properties": {"tag": {"$ref": "#/$defs/tag"}}}},
        "required": ["item"],
        "$defs": {
            "tag": {"type": "string", "pattern": "^root-[a-z]{3}$"},
            "item": {
                "$id": "nested/item.json",
                "type": "object",
                "properties": {"size": {"$ref": "#/$defs/size"}, "tag": True},
                "required": ["size", "tag"],
                "$defs": {"size": {"type": "integer", "minimum": 10, "maximum": 20}},
            },
        },
    }
    for value in _values(schema):
        assert _valid(schema, value)
        assert 10 <= value["item"]["size"] <= 20
        assert value["item"]["tag"].startswith("root-")


def test_a_keyword_that_cannot_be_met_falls_back_to_a_type_it_does_not_constrain() -> None:
    assert all(not isinstance(value, list) for value in _values({"contains": False}))
    assert all(not isinstance(v, str) for v in _values({"minLength": 3, "maxLength": 1}))
    with pytest.raises(Unsatisfiable, match="false schema"):
        generate({"type": "array", "contains": False}, random.Random(0), ["alpha"])


def test_arrays_stop_before_the_first_prefix_item_that_accepts_nothing() -> None:
    for schema in ({"prefixItems": [True, False]}, {"type": "array", "prefixItems": [{"type": "integer"}, False]}):
        for value in _values(schema):
            assert isinstance(value, list)
            assert len(value) <= 1
            assert _valid(schema, value)
    with pytest.raises(Unsatisfiable, match="minItems 2 but only 1 items are allowed"):
        generate({"type": "array", "prefixItems": [True, False], "minItems": 2}, random.Random(0), ["alpha"])


def test_optional_properties_that_accept_nothing_are_left_out() -> None:
    schema = {
        "type": "object",
        "$defs": {"nothing": False, "contradiction": {"type": "string", "minLength": 5, "maxLength": 2}},
        "properties": {
            "false": False,
            "dynamic": {"$dynamicRef": "#/$defs/nothing"},
            "contradictory": {"$ref": "#/$defs/contradiction"},
            "ok": {"type": "integer"},
        },
        "required": ["ok"],
    }
    for value in _values(schema):
        assert set(value) == {"ok"}
    with pytest.raises(Unsatisfiable):
        generate({**schema, "required": ["ok", "dynamic"]}, random.Random(0), ["alpha"])


def test_an_optional_property_whose_dependent_schema_forbids_it_is_left_out() -> None:
    schema = {
        "properties": {"foo": {}},
        "dependentSchemas": {"foo": {"properties": {"bar": {}}, "additionalProperties": False}},
        "type": "object",
    }
    for value in _values(schema):
        assert "foo" not in value
        assert _valid(schema, value)


def test_not_is_answered_with_a_value_of_the_kind_it_talks_about() -> None:
    schema = {"not": {"anyOf": [True, {"properties": {"foo": True}}], "unevaluatedProperties": False}}
    for value in _values(schema):
        assert isinstance(value, dict)
        assert set(value) - {"foo"}
        assert _valid(schema, value)


def test_a_dynamic_ref_resolves_in_the_dynamic_scope_jsonschema_uses() -> None:
    schema = {
        "$id": "https://example.com/leaving/main",
        "if": {"$id": "first_scope", "$defs": {"thingy": {"$dynamicAnchor": "thingy", "type": "number"}}},
        "then": {
            "$id": "second_scope",
            "$ref": "start",
            "$defs": {"thingy": {"$dynamicAnchor": "thingy", "type": "null"}},
        },
        "$defs": {
            "start": {"$id": "start", "$dynamicRef": "inner_scope#thingy"},
            "thingy": {"$id": "inner_scope", "$dynamicAnchor": "thingy", "type": "string"},
        },
    }
    assert _values(schema) == [None] * 6


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(?=.*\d)[a-z0-9]{6,10}$",
        r"^(?=.*[A-Z])(?=.*\d)(?=.*[a-z]).{8,12}$",
        r"^(?!admin)[a-z]{3,8}$",
        r"^(?!.*--)[a-z-]{4,10}$",
        r"(?<=@)[a-z]+",
        r"^\w+(?<!_)$",
        r"^foo(?!bar)",
    ],
)
def test_patterns_with_lookarounds_get_matching_strings(pattern: str) -> None:
    schema = {"type": "string", "pattern": pattern, "maxLength": 20}
    for value in _values(schema, range(20)):
        assert re.search(pattern, value), value
        assert len(value) <= 20


def test_a_lookaround_pattern_without_a_match_found_is_named() -> None:
    with pytest.raises(NotYetSupported, match=re.escape("'^(?=a)b$'") + ".*lookarounds are checked"):
        generate({"pattern": "^(?=a)b$"}, random.Random(0), ["alpha"])  # no string of another type: not vacuous


def test_importing_xai_fake_leaves_the_schema_libraries_unloaded() -> None:
    code = "import sys, xai_fake; print([m for m in ('jsonschema', 'referencing', 'rstr') if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
