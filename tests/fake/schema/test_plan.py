"""The engine's memos: plans, faker pools and cached regex parses change how fast answers come, never what they are."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.fake.schema.corpus import corpus
from xai_fake.schema import generate_text, plan, realism, validate
from xai_fake.schema.validate import checker_for

WORDS = ["alpha", "beta", "gamma"]
SAMPLE = [json.dumps(schema) for _name, schema, _model in corpus()[::7]]
RECURSIVE = json.dumps(
    {
        "$defs": {
            "node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}
        },
        "$ref": "#/$defs/node",
    }
)


def _answers(texts: list[str], seeds: range) -> list[str]:
    return [json.dumps(generate_text(text, random.Random(seed), WORDS)) for text in texts for seed in seeds]


def _by_input(texts: list[str], seeds: range) -> dict[tuple[str, int], str]:
    return {
        (text, seed): json.dumps(generate_text(text, random.Random(seed), WORDS)) for text in texts for seed in seeds
    }


def _forget() -> None:
    """Drop every compiled schema and pooled value of this process."""
    validate._cached.cache_clear()
    for pool in realism._pools.values():
        pool.clear()


def test_a_warm_plan_gives_the_bytes_a_cold_one_gives() -> None:
    _forget()
    cold = _by_input(SAMPLE, range(3))
    warm = _by_input(SAMPLE, range(3))
    _forget()
    backwards = _by_input(SAMPLE[::-1], range(2, -1, -1))  # plans and pools filled in another order
    assert cold == warm == backwards


def test_the_same_seed_gives_the_same_bytes_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import json, random, sys\n"
        "from xai_fake.schema import generate_text\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([json.dumps(generate_text(t, random.Random(s), ['alpha', 'beta', 'gamma']))"
        " for t in texts for s in range(3)]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(SAMPLE), capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == _answers(SAMPLE, range(3))


def test_the_compiled_schema_cache_holds_the_whole_corpus() -> None:
    assert validate._cached.cache_info().maxsize == validate.CACHED >= 1024
    assert len(corpus()) < validate.CACHED


def test_a_full_plan_memo_starts_afresh_and_answers_stay_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _answers([RECURSIVE], range(20))
    checker = checker_for(RECURSIVE)
    monkeypatch.setattr(plan, "LIMIT", 5)
    memos = set()
    for seed in range(20):
        memos.add(id(checker.plan._memo))
        generate_text(RECURSIVE, random.Random(seed), WORDS)
        assert checker.plan._memo.size() < 5 + 200  # one call's worth past the limit at most
    assert len(memos) > 1
    assert _answers([RECURSIVE], range(20)) == before


def test_pooled_values_do_not_depend_on_what_was_drawn_before() -> None:
    first = [realism.pooled("name", random.Random(seed)) for seed in range(30)]
    realism._pools["name"].clear()
    again = [realism.pooled("name", random.Random(seed)) for seed in reversed(range(30))][::-1]
    assert first == again


def _value(schema: dict[str, Any], seed: int) -> Any:
    return generate_text(json.dumps(schema), random.Random(seed), WORDS)


def test_values_still_follow_property_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "customer": {"type": "string"},
            "email": {"type": "string"},
            "city": {"type": "string"},
            "order_id": {"type": "string"},
            "uuid": {"type": "string"},
            "created_at": {"type": "string"},
        },
        "required": ["customer", "email", "city", "order_id", "uuid", "created_at"],
    }
    values = [_value(schema, seed) for seed in range(40)]
    for value in values:
        assert re.fullmatch(r"[A-Z][\w.'-]*( [A-Z][\w.'-]*)+", value["customer"]), value["customer"]
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", value["email"]), value["email"]
        assert value["city"][0].isupper()
        assert re.fullmatch(r"[A-Z]{2}-\d{4}", value["order_id"])
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value["uuid"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value["created_at"])
    assert len({value["customer"] for value in values}) > 30  # pooled, yet varied
    assert len({value["uuid"] for value in values}) == 40  # identifiers are not pooled


def test_pooled_values_that_do_not_fit_the_bounds_are_not_used() -> None:
    for seed in range(20):
        assert len(_value({"type": "string", "maxLength": 3}, seed)) <= 3
        name = _value(
            {"type": "object", "properties": {"name": {"type": "string", "maxLength": 4}}, "required": ["name"]}, seed
        )
        assert len(name["name"]) <= 4


def test_cached_regex_parses_give_strings_of_the_pattern() -> None:
    patterns = [r"^ORD-\d{6}$", r"^[^a-y]{3}[a-c]+$", r"^(a|bc)-\1$", r"^[A-Z][a-z]{2,5}( [A-Z][a-z]+)?$"]
    for pattern in patterns:
        for seed in range(30):
            assert re.search(pattern, _value({"type": "string", "pattern": pattern}, seed))


def test_the_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    code = (
        "import json, random, sys\n"
        "from xai_fake.schema import generate\n"
        "uri = {'type': 'object', 'properties': {'a': {'type': 'string', 'format': 'uri'}}}\n"
        "generate(uri, random.Random(0), ['x'])\n"
        "before = 'lark' in sys.modules\n"
        "value = generate({'type': 'string', 'format': 'iri'}, random.Random(0), ['x'])\n"
        "import jsonschema\n"
        "checker = jsonschema.Draft202012Validator.FORMAT_CHECKER\n"
        "print(json.dumps([before, 'lark' in sys.modules, checker.conforms(value, 'iri'),"
        " checker.conforms('not an iri', 'iri')]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True, True, False]


def test_a_plan_remembers_the_schema_not_the_calls() -> None:
    branched = json.dumps(
        {
            "type": "object",
            "properties": {
                "pet": {
                    "anyOf": [{"$ref": "#/$defs/cat"}, {"type": "object", "properties": {"bark": {"type": "string"}}}]
                },
                "tags": {"type": "array", "contains": {"type": "string", "pattern": "^x"}, "items": {"type": "string"}},
            },
            "required": ["pet", "tags"],
            "$defs": {"cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}, "required": ["meow"]}},
        }
    )
    for seed in range(20):
        generate_text(branched, random.Random(seed), WORDS)
    memo = checker_for(branched).plan._memo
    size = memo.size()
    for seed in range(20, 220):
        generate_text(branched, random.Random(seed), WORDS)
    assert checker_for(branched).plan._memo is memo
    assert memo.size() == size  # merges made per call (a branch, a contains) are not kept
