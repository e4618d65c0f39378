"""The engine against the official JSON-Schema-Test-Suite (draft 2020-12, keywords and formats).

For every test group whose schema some test instance satisfies, the engine must answer, on each
seed, a value that the group's schema accepts (``jsonschema``, format checking on, the suite's
remotes registered), and not vacuously: see :func:`vacuity`. For a group no instance satisfies,
it must refuse (:class:`Unsatisfiable`) or answer a valid value, never an invalid one. One test
per suite file; the suite is fetched at test time (:mod:`tests.fake.schema.suite`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from tests.fake.schema.suite import SuiteUnavailable, groups, remotes, suite_dir, suite_files
from xai_fake.schema import Unsatisfiable, generate

SEEDS = range(5)
WORDS = ["alpha", "beta", "gamma"]

#: The suite files, relative to ``tests/draft2020-12`` (listed here so tests can be collected
#: before the suite is fetched; :func:`test_the_file_list_is_the_suites` keeps it true).
SUITE_FILES = [
    "additionalProperties.json", "allOf.json", "anchor.json", "anyOf.json", "boolean_schema.json", "const.json",
    "contains.json", "content.json", "default.json", "defs.json", "dependentRequired.json", "dependentSchemas.json",
    "dynamicRef.json", "enum.json", "exclusiveMaximum.json", "exclusiveMinimum.json", "format.json",
    "if-then-else.json", "infinite-loop-detection.json", "items.json", "maxContains.json", "maxItems.json",
    "maxLength.json", "maxProperties.json", "maximum.json", "minContains.json", "minItems.json", "minLength.json",
    "minProperties.json", "minimum.json", "multipleOf.json", "not.json", "oneOf.json", "pattern.json",
    "patternProperties.json", "prefixItems.json", "properties.json", "propertyNames.json", "ref.json",
    "refRemote.json", "required.json", "type.json", "unevaluatedItems.json", "unevaluatedProperties.json",
    "uniqueItems.json", "vocabulary.json", "optional/format/date-time.json", "optional/format/date.json",
    "optional/format/duration.json", "optional/format/ecmascript-regex.json", "optional/format/email.json",
    "optional/format/hostname.json", "optional/format/idn-email.json", "optional/format/idn-hostname.json",
    "optional/format/ipv4.json", "optional/format/ipv6.json", "optional/format/iri-reference.json",
    "optional/format/iri.json", "optional/format/json-pointer.json", "optional/format/regex.json",
    "optional/format/relative-json-pointer.json", "optional/format/time.json", "optional/format/unknown.json",
    "optional/format/uri-reference.json", "optional/format/uri-template.json", "optional/format/uri.json",
    "optional/format/uuid.json",
]  # fmt: skip

#: Groups the engine cannot support yet: (suite file, group description) -> why. A group listed
#: here must still fail (else its test fails: take it off the list). Empty: every group passes.
EXCLUDED: dict[tuple[str, str], str] = {}

#: Keywords that constrain one JSON type each (a value of another type satisfies them vacuously).
FAMILIES = {
    "string": {"minLength", "maxLength", "pattern", "format"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "array": {
        "items", "prefixItems", "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems",
        "unevaluatedItems",
    },
    "object": {
        "properties", "patternProperties", "additionalProperties", "required", "minProperties", "maxProperties",
        "propertyNames", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
    },
}  # fmt: skip
#: Keywords that say nothing about the value (identifiers, annotations).
INERT = {
    "$schema", "$id", "$anchor", "$dynamicAnchor", "$defs", "definitions", "$comment", "title", "description",
    "default", "examples", "deprecated", "readOnly", "writeOnly",
}  # fmt: skip
Generate = Callable[..., Any]


@pytest.fixture(scope="session")
def suite(pytestconfig: pytest.Config) -> tuple[Path, Any]:
    """(the suite's ``json/`` directory, a registry of its remotes); fails, never skips, when it cannot be fetched."""
    assert pytestconfig.cache is not None
    try:
        root = suite_dir(pytestconfig.cache.mkdir("json-schema-test-suite-4.26.0"))
    except SuiteUnavailable as exc:
        pytest.fail(f"cannot fetch the JSON-Schema-Test-Suite: {exc} (0 skipped tests is a project rule)")
    return root, remotes(root)


def _type_of(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "other"
    if isinstance(value, (int, float)):
        return "number"
    kinds: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), "other")


def vacuity(schema: Any, value: Any, valid: list[Any]) -> str | None:
    """Why ``value`` satisfies ``schema`` only vacuously, or None.

    When the schema's keywords all constrain one type (``{"minLength": 2}``: strings) and some
    valid instance has that type, an answer of another type passes validation without meeting
    any of them: it must have that type too.
    """
    if not isinstance(schema, dict):
        return None
    keywords = set(schema) - INERT
    family = next((name for name, words in FAMILIES.items() if keywords and keywords <= words), None)
    if family is None or family == _type_of(value) or all(_type_of(v) != family for v in valid):
        return None
    return f"answered {value!r} ({_type_of(value)}), satisfying the {family} keywords {sorted(keywords)} vacuously"


def check_group(group: dict[str, Any], registry: Any, make: Generate = generate) -> str | None:
    """What is wrong with ``make``'s answers for one suite group, on every seed, or None."""
    schema = group["schema"]
    valid = [test["data"] for test in group["tests"] if test["valid"]]
    kwargs: dict[str, Any] = {} if registry is None else {"registry": registry}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER, **kwargs)
    for seed in SEEDS:
        try:
            value = make(schema, random.Random(seed), WORDS, resources=registry)
        except Unsatisfiable as error:
            if valid:
                return f"seed {seed}: {type(error).__name__}: {error}"
            continue
        except Exception as error:
            return f"seed {seed}: crashed: {type(error).__name__}: {error}"
        if not validator.is_valid(value):
            return f"seed {seed}: invalid answer {value!r}: {best_match(validator.iter_errors(value)).message}"
        vacuous = vacuity(schema, value, valid)
        if vacuous is not None:
            return f"seed {seed}: {vacuous}"
    return None


@pytest.mark.parametrize("name", SUITE_FILES)
def test_every_group_gets_a_valid_answer(suite: tuple[Path, Any], name: str) -> None:
    root, registry = suite
    failures, passing = [], []
    for group in groups(root, name):
        problem = check_group(group, registry)
        if (name, group["description"]) in EXCLUDED:
            if problem is None:
                passing.append(group["description"])
        elif problem is not None:
            failures.append(f"{group['description']}: {problem}")
    assert not failures, f"{len(failures)} group(s) of {name} failed:\n" + "\n".join(failures)
    assert not passing, f"excluded groups of {name} now pass; take them off EXCLUDED: {passing}"


def test_the_file_list_is_the_suites(suite: tuple[Path, Any]) -> None:
    assert sorted(SUITE_FILES) == sorted(suite_files(suite[0]))


def test_every_exclusion_names_a_group(suite: tuple[Path, Any]) -> None:
    root, _ = suite
    known = {(name, group["description"]) for name in SUITE_FILES for group in groups(root, name)}
    assert set(EXCLUDED) <= known, f"exclusions naming no group: {sorted(set(EXCLUDED) - known)}"


MIN_LENGTH = {
    "description": "minLength without type",
    "schema": {"minLength": 2},
    "tests": [{"data": "foo", "valid": True}, {"data": 1, "valid": True}, {"data": "f", "valid": False}],
}


def test_the_check_catches_a_vacuous_answer() -> None:
    def vacuous(schema: Any, rng: random.Random, words: list[str], **_: Any) -> Any:
        return 42  # valid against {"minLength": 2}, as any non-string is

    problem = check_group(MIN_LENGTH, None, vacuous)
    assert problem is not None
    assert "vacuously" in problem
    assert check_group(MIN_LENGTH, None) is None  # the engine answers a string of 2 or more


def test_the_check_catches_invalid_answers_and_refusals() -> None:
    def invalid(schema: Any, rng: random.Random, words: list[str], **_: Any) -> Any:
        return "f"

    def refusing(schema: Any, rng: random.Random, words: list[str], **_: Any) -> Any:
        raise Unsatisfiable("no", "$")

    assert "invalid answer" in (check_group(MIN_LENGTH, None, invalid) or "")
    assert "Unsatisfiable" in (check_group(MIN_LENGTH, None, refusing) or "")
    unsatisfiable = {"description": "false", "schema": False, "tests": [{"data": 1, "valid": False}]}
    assert check_group(unsatisfiable, None, refusing) is None  # refusing a group no instance satisfies is right
    assert check_group(unsatisfiable, None) is None


def test_the_suite_is_fetched_once_per_cache(suite: tuple[Path, Any], pytestconfig: pytest.Config) -> None:
    assert pytestconfig.cache is not None
    cache = pytestconfig.cache.mkdir("json-schema-test-suite-4.26.0")
    assert suite_dir(cache) == suite[0]
    assert (suite[0] / ".complete").exists()
    assert not [p for p in cache.iterdir() if p.name.startswith("unpack-")], "a staging directory was left behind"
    assert (suite[0] / "remotes" / "draft2020-12").is_dir()
