"""A corpus of JSON schemas for the schema engine: hand-written per keyword, and pydantic v2 models."""

# ruff: noqa: UP007, UP045 - Optional[...] and Union[...] as pydantic users write them

from __future__ import annotations

import datetime
import enum
import ipaddress
import uuid
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, EmailStr, Field, HttpUrl, confloat, conint, conlist, constr

S = dict[str, Any]


def obj(props: S, required: list[str] | None = None, **extra: Any) -> S:
    return {"type": "object", "properties": props, "required": list(props) if required is None else required, **extra}


HAND: list[tuple[str, Any]] = []


def add(name: str, schema: Any) -> None:
    HAND.append((name, schema))


# -- strings: pattern, formats, lengths ------------------------------------------------------------
PATTERNS = [
    r"^[A-Z]{3}-\d{4}$",
    r"^\d{5}(-\d{4})?$",
    r"^[a-z0-9_]{3,16}$",
    r"^\+?[1-9]\d{7,14}$",
    r"^#[0-9a-fA-F]{6}$",
    r"^(red|green|blue)$",
    r"^[A-Z][a-z]+ [A-Z][a-z]+$",
    r"^v\d+\.\d+\.\d+$",
    r"^[A-Z]{2}\d{2}[A-Z0-9]{10,20}$",
    r"\d",
    r"^\S+$",
    r"^[^@]+@[^@]+\.[a-z]{2,}$",
    r"^(\d{1,3}\.){3}\d{1,3}$",
    r"ab+c",
    r"^.*$",
    r"^[a-f0-9]{32}$",
    r"^[A-Z]{2}$",
    r"^\w+$",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    r"^(?:[a-z]+-)*[a-z]+$",
]
for index, pattern in enumerate(PATTERNS):
    add(f"pattern-{index}", obj({"value": {"type": "string", "pattern": pattern}}))
for index, (pattern, low, high) in enumerate(
    [
        (r"^[a-z]+$", 3, 5),
        (r"^\d+$", 10, 10),
        (r"x", 8, 12),
        (r"^.+$", 1, 4),
        (r"^[A-Za-z ]*$", 20, 30),
        (r"^a.*z$", 5, 6),
    ]
):
    add(
        f"pattern-length-{index}",
        obj({"value": {"type": "string", "pattern": pattern, "minLength": low, "maxLength": high}}),
    )
FORMATS = [
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "uri-template",
]
for fmt in FORMATS:
    add(f"format-{fmt}", obj({"value": {"type": "string", "format": fmt}}))
    add(f"format-{fmt}-array", {"type": "array", "items": {"type": "string", "format": fmt}, "minItems": 2})
for low, high in [(0, 0), (1, 1), (5, 5), (50, 60), (0, 3), (100, 120), (2, 2000)]:
    add(f"length-{low}-{high}", obj({"text": {"type": "string", "minLength": low, "maxLength": high}}))
add("maxlength-only", obj({"title": {"type": "string", "maxLength": 4}}))
add("email-maxlength", obj({"email": {"type": "string", "format": "email", "maxLength": 20}}))

# -- numbers -----------------------------------------------------------------------------------------
RANGES: list[S] = [
    {"minimum": 5, "maximum": 5},
    {"maximum": -3},
    {"minimum": -50, "maximum": -40},
    {"exclusiveMinimum": 0},
    {"exclusiveMaximum": 0},
    {"exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"minimum": 1000000},
    {"maximum": 10},
    {"minimum": -1e9, "maximum": 1e9},
    {"exclusiveMinimum": 9, "maximum": 10},
    {"multipleOf": 7},
    {"multipleOf": 0.01, "minimum": 0, "maximum": 5},
    {"multipleOf": 0.5, "exclusiveMinimum": 2},
    {"multipleOf": 3, "minimum": -10, "maximum": -1},
    {"multipleOf": 0.25, "maximum": -100},
    {"multipleOf": 1.5},
]
for index, bounds in enumerate(RANGES):
    add(f"number-{index}", obj({"n": {"type": "number", **bounds}}))
    if index != 5:  # no integer lies strictly between 0 and 1 (tested as unsatisfiable instead)
        add(f"integer-{index}", obj({"i": {"type": "integer", **bounds}}))
add(
    "draft4-exclusive",
    {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "integer",
        "minimum": 1,
        "exclusiveMinimum": True,
        "maximum": 3,
        "exclusiveMaximum": True,
    },
)
for name in ["age", "price", "latitude", "longitude", "year", "rating", "quantity", "score"]:
    add(f"named-number-{name}", obj({name: {"type": "number"}}))

# -- names (realism) ----------------------------------------------------------------------------------
NAMES = [
    "name",
    "first_name",
    "lastName",
    "email",
    "city",
    "country",
    "phone",
    "currency",
    "url",
    "date",
    "id",
    "company",
    "street_address",
    "zip",
    "username",
    "description",
    "title",
    "color",
    "job",
    "status",
]
add("person-names", obj({name: {"type": "string"} for name in NAMES}))
for name in NAMES:
    add(f"named-{name}", obj({name: {"type": "string", "maxLength": 200}}))

# -- arrays ------------------------------------------------------------------------------------------------
add(
    "unique-ints",
    {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "uniqueItems": True, "minItems": 5},
)
add("unique-enum-all", {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": True, "minItems": 3})
add("unique-bools", {"type": "array", "items": {"type": "boolean"}, "uniqueItems": True, "minItems": 2})
add(
    "prefix-items",
    {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}],
        "items": False,
        "minItems": 3,
    },
)
add("prefix-open", {"type": "array", "prefixItems": [{"const": "x"}], "items": {"type": "number"}, "minItems": 4})
add(
    "draft7-tuple",
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
        "additionalItems": False,
        "minItems": 2,
    },
)
add("contains", {"type": "array", "items": {"type": "integer"}, "contains": {"const": 42}})
add(
    "min-contains",
    {"type": "array", "contains": {"type": "string", "pattern": "^x"}, "minContains": 3, "items": {"type": "string"}},
)
add(
    "max-contains",
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 100},
        "contains": {"minimum": 50},
        "minContains": 1,
        "maxContains": 1,
        "minItems": 4,
    },
)
add("min-max-items", {"type": "array", "items": {"type": "string"}, "minItems": 7, "maxItems": 7})
add(
    "array-of-objects",
    {
        "type": "array",
        "items": obj({"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}),
        "minItems": 1,
    },
)
add("array-empty-only", {"type": "array", "maxItems": 0})
add(
    "nested-arrays",
    {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2}, "minItems": 2},
)

# -- objects -----------------------------------------------------------------------------------------------
add("min-properties", {"type": "object", "minProperties": 3})
add("min-properties-props", {"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 2})
add("max-properties", {"type": "object", "properties": {k: {"type": "integer"} for k in "abcdef"}, "maxProperties": 2})
add("additional-schema", {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 2})
add("additional-false", obj({"a": {"type": "string"}, "b": {"type": "number"}}, ["a"], additionalProperties=False))
add(
    "pattern-properties",
    {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "string"}},
        "additionalProperties": False,
        "minProperties": 2,
    },
)
add(
    "property-names",
    {
        "type": "object",
        "propertyNames": {"pattern": "^[a-z]{4}$"},
        "minProperties": 2,
        "additionalProperties": {"type": "boolean"},
    },
)
add("property-names-maxlength", {"type": "object", "propertyNames": {"maxLength": 3}, "minProperties": 1})
add(
    "dependent-required",
    {
        "type": "object",
        "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
        "required": ["card"],
        "dependentRequired": {"card": ["billing"]},
    },
)
add(
    "dependent-schemas",
    {
        "type": "object",
        "properties": {"kind": {"const": "pro"}},
        "required": ["kind"],
        "dependentSchemas": {
            "kind": {"properties": {"seats": {"type": "integer", "minimum": 5}}, "required": ["seats"]}
        },
    },
)
add(
    "draft7-dependencies",
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "dependencies": {"a": ["b"], "b": {"properties": {"c": {"type": "integer"}}, "required": ["c"]}},
    },
)
add("required-not-in-properties", {"type": "object", "required": ["mystery"]})
add("empty-object", {"type": "object", "additionalProperties": False})
deep: S = {"type": "string"}
for level in range(12):
    deep = obj({f"level{level}": deep})
add("deep-12", deep)
add(
    "deep-arrays",
    {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
                    },
                },
            },
        },
    },
)

# -- combinators ---------------------------------------------------------------------------------------------
add("allof-bounds", {"allOf": [{"type": "integer", "minimum": 10}, {"maximum": 12}, {"multipleOf": 3}]})
add(
    "allof-objects",
    {
        "allOf": [
            obj({"a": {"type": "string"}}),
            obj({"b": {"type": "integer"}}),
            {"required": ["c"], "properties": {"c": {"type": "boolean"}}},
        ]
    },
)
add("allof-strings", {"allOf": [{"type": "string", "minLength": 3}, {"maxLength": 5}, {"pattern": "^[a-z]+$"}]})
add("allof-two-patterns", {"allOf": [{"type": "string", "pattern": "^a"}, {"pattern": "z$"}]})
add("allof-enum", {"allOf": [{"enum": [1, 2, 3, "x"]}, {"enum": [3, "x", None]}, {"type": "integer"}]})
add(
    "allof-refs",
    {
        "$defs": {"named": obj({"name": {"type": "string"}}), "aged": obj({"age": {"type": "integer", "minimum": 0}})},
        "allOf": [{"$ref": "#/$defs/named"}, {"$ref": "#/$defs/aged"}],
    },
)
add(
    "allof-additional-false",
    {"allOf": [obj({"a": {"type": "string"}}, additionalProperties=False), {"properties": {"a": {"maxLength": 3}}}]},
)
add("anyof", {"anyOf": [{"type": "string", "format": "email"}, {"type": "integer", "minimum": 100}]})
add("anyof-null", obj({"v": {"anyOf": [{"type": "string"}, {"type": "null"}]}}))
add("oneof-exclusive", {"oneOf": [{"type": "integer", "multipleOf": 3}, {"type": "integer", "multipleOf": 5}]})
add(
    "oneof-objects",
    {
        "oneOf": [
            obj({"kind": {"const": "a"}, "x": {"type": "string"}}),
            obj({"kind": {"const": "b"}, "y": {"type": "integer"}}),
        ]
    },
)
add("not-string", obj({"v": {"not": {"type": "string"}}}))
add("not-enum", {"type": "string", "enum": ["a", "b", "c"], "not": {"const": "a"}})
add("not-range", {"type": "integer", "minimum": 0, "maximum": 10, "not": {"maximum": 8}})
add(
    "if-then-else",
    {
        "type": "object",
        "properties": {"country": {"enum": ["US", "CA"]}, "postal": {"type": "string"}},
        "required": ["country", "postal"],
        "if": {"properties": {"country": {"const": "US"}}},
        "then": {"properties": {"postal": {"pattern": r"^\d{5}$"}}},
        "else": {"properties": {"postal": {"pattern": r"^[A-Z]\d[A-Z] \d[A-Z]\d$"}}},
    },
)
add("if-then-only", {"type": "integer", "if": {"minimum": 10}, "then": {"multipleOf": 10}})

# -- const / enum / types / boolean schemas ------------------------------------------------------------------
add("const-object", {"const": {"a": [1, 2, {"b": None}]}})
add("enum-mixed", {"enum": [1, "two", None, True, {"x": 1}, [1, 2], 3.5]})
add("const-null", obj({"nothing": {"const": None}}))
add("type-list", {"type": ["string", "integer", "null"]})
add("bool-true", True)
add("bool-props", {"type": "object", "properties": {"any": True, "never": False}, "required": ["any"]})
add("empty", {})
add("no-type-props", {"properties": {"a": {"minimum": 1}}, "required": ["a"]})
add("nullable-openapi", obj({"nick": {"type": "string", "nullable": True}}))
add("default-example-hints", obj({"unit": {"type": "string", "default": "celsius", "examples": ["kelvin"]}}))

# -- references ---------------------------------------------------------------------------------------------------
TREE = {
    "type": "object",
    "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#"}}},
    "required": ["value", "children"],
}
add("ref-root", TREE)
add(
    "ref-root-required-optional",
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}},
        "required": ["name", "next"],
    },
)
add(
    "anchor",
    {
        "$defs": {"pos": {"$anchor": "positive", "type": "integer", "minimum": 1}},
        "type": "array",
        "items": {"$ref": "#positive"},
        "minItems": 2,
    },
)
add(
    "id-relative",
    {
        "$id": "https://example.com/schemas/order.json",
        "type": "object",
        "properties": {"customer": {"$ref": "customer.json"}},
        "required": ["customer"],
        "$defs": {
            "customer": {
                "$id": "customer.json",
                "type": "object",
                "properties": {"email": {"$ref": "#/$defs/mail"}},
                "required": ["email"],
                "$defs": {"mail": {"type": "string", "format": "email"}},
            }
        },
    },
)
add(
    "draft7-definitions",
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "pt": {
                "type": "object",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "required": ["x", "y"],
            }
        },
        "type": "array",
        "items": {"$ref": "#/definitions/pt"},
        "minItems": 2,
    },
)
add(
    "draft7-id-anchor",
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"a": {"$id": "#item", "type": "string", "minLength": 2}},
        "type": "object",
        "properties": {"i": {"$ref": "#item"}},
        "required": ["i"],
    },
)
add(
    "mutual-recursion",
    {
        "$defs": {
            "a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/b"}}, "required": ["b"]},
            "b": {
                "type": "object",
                "properties": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]}},
                "required": ["a"],
            },
        },
        "$ref": "#/$defs/a",
    },
)
add("ref-siblings", {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "minLength": 6})
add(
    "pointer-escapes",
    {
        "$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "boolean"}},
        "type": "array",
        "prefixItems": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/c~0d"}],
        "minItems": 2,
    },
)

# -- a few realistic API shapes -------------------------------------------------------------------------------
add("weather-tool", obj({"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}}, ["city"]))
add(
    "order",
    obj(
        {
            "id": {"type": "string", "format": "uuid"},
            "items": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "sku": {"type": "string", "pattern": "^SKU-[0-9]{6}$"},
                        "price": {"type": "number", "exclusiveMinimum": 0},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    }
                ),
            },
            "created_at": {"type": "string", "format": "date-time"},
        }
    ),
)
add(
    "search-tool",
    obj(
        {
            "query": {"type": "string", "minLength": 1},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        ["query"],
    ),
)


# -- pydantic -------------------------------------------------------------------------------------------------
class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Address(BaseModel):
    street: str
    city: str
    zip_code: constr(pattern=r"^\d{5}$")  # type: ignore[valid-type]
    country: str = "US"


class Person(BaseModel):
    name: constr(min_length=2, max_length=40)  # type: ignore[valid-type]
    age: conint(ge=0, le=130)  # type: ignore[valid-type]
    email: EmailStr
    website: HttpUrl | None = None
    address: Address


class Measure(BaseModel):
    value: confloat(gt=0, lt=1)  # type: ignore[valid-type]
    step: Annotated[float, Field(multiple_of=0.25, ge=-10, le=10)]
    count: Annotated[int, Field(lt=-5)]


class Tupled(BaseModel):
    pair: tuple[int, str]
    triple: tuple[float, bool, Literal["x", "y"]]
    many: tuple[int, ...]


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float


class Owner(BaseModel):
    pet: Cat | Dog = Field(discriminator="pet_type")
    pets: list[Annotated[Cat | Dog, Field(discriminator="pet_type")]]


class Node(BaseModel):
    value: int
    children: list[Node] = []


class Linked(BaseModel):
    label: str
    next: Linked | None


class Identifiers(BaseModel):
    id: uuid.UUID
    at: datetime.datetime
    day: datetime.date
    clock: datetime.time
    span: datetime.timedelta
    v4: ipaddress.IPv4Address
    v6: ipaddress.IPv6Address
    anyip: ipaddress.IPv4Address | ipaddress.IPv6Address


class Choices(BaseModel):
    color: Color
    level: Level
    mode: Literal["fast", "slow", 3]
    tags: conlist(str, min_length=1, max_length=3)  # type: ignore[valid-type]
    unique: set[int]
    scores: dict[str, float]


class Invoice(BaseModel):
    invoice_id: constr(pattern=r"^INV-\d{6}$")  # type: ignore[valid-type]
    customer: Person
    lines: conlist(Address, min_length=1)  # type: ignore[valid-type]
    total: Annotated[float, Field(ge=0)]
    currency: Literal["USD", "EUR"]
    paid: bool
    note: str | None = None


class Deep(BaseModel):
    tree: Node
    chain: Linked
    owner: Owner


MODELS: list[type[BaseModel]] = [
    Address,
    Person,
    Measure,
    Tupled,
    Cat,
    Owner,
    Node,
    Linked,
    Identifiers,
    Choices,
    Invoice,
    Deep,
]


def corpus() -> list[tuple[str, Any, type[BaseModel] | None]]:
    """(name, schema, model or None) for every schema of the corpus."""
    return [(name, schema, None) for name, schema in HAND] + [
        (f"pydantic-{model.__name__}", model.model_json_schema(), model) for model in MODELS
    ]


def _grid_models() -> list[type[BaseModel]]:
    from pydantic import create_model

    fields: list[Any] = [
        constr(min_length=3, max_length=3),
        constr(pattern=r"^[a-z]{2,5}\d?$"),
        conint(gt=-10, lt=-2),
        conint(multiple_of=4, le=20),
        confloat(ge=-1.5, le=-1.0),
        confloat(multiple_of=0.5, gt=0),
        Literal[1, "a", None],
        Optional[EmailStr],
        list[HttpUrl],
        dict[str, conint(ge=0)],  # type: ignore[misc]
        tuple[uuid.UUID, datetime.date],
        set[Literal["a", "b", "c"]],
        Optional[list[Node]],
        Annotated[str, Field(min_length=10, pattern=r"^\w+$")],
        frozenset[int],
        list[tuple[int, int]],
        Annotated[list[int], Field(min_length=2, max_length=2)],
        ipaddress.IPv4Network,
        ipaddress.IPv6Interface,
        Union[int, str, None],
        Annotated[int, Field(ge=10**12)],
        datetime.timedelta,
        Color | None,
        Optional[Level],
        conlist(conint(ge=1, le=3), min_length=3, max_length=3),
    ]
    models = []
    for index, annotation in enumerate(fields):
        models.append(create_model(f"Grid{index}", value=(annotation, ...), name=(str, ...)))
        models.append(
            create_model(
                f"GridOptional{index}",
                value=(Optional[annotation], None),  # type: ignore[valid-type]
                items=(list[annotation], ...),  # type: ignore[valid-type]
            )
        )
    return models


MODELS += _grid_models()
