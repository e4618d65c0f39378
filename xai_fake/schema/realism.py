"""Realistic values: faker (imported on first use), and hints from property names."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["faker", "number_range", "string_for_name"]

_local = threading.local()


def faker(rng: random.Random) -> Any:
    """A per-thread Faker re-seeded from ``rng``, or None when faker is not installed."""
    fake = getattr(_local, "faker", None)
    if fake is None:
        try:
            from faker import Faker
        except ImportError:  # pragma: no cover - faker is in the fake extra
            return None
        fake = _local.faker = Faker("en_US")
    fake.seed_instance(rng.getrandbits(32))
    return fake


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


_STRINGS: list[tuple[tuple[str, ...], Callable[[Any], str]]] = [
    (("email", "mail"), lambda f: f.email()),
    (("first",), lambda f: f.first_name()),
    (("last", "surname", "family"), lambda f: f.last_name()),
    (("username", "login", "handle", "user"), lambda f: f.user_name()),
    (("company", "organization", "organisation", "employer", "vendor", "brand"), lambda f: f.company()),
    (("city", "town"), lambda f: f.city()),
    (("country",), lambda f: f.country()),
    (("state", "province", "region"), lambda f: f.state()),
    (("street", "address", "line1"), lambda f: f.street_address()),
    (("zip", "postal", "postcode", "zipcode"), lambda f: f.postcode()),
    (("phone", "mobile", "tel", "telephone", "fax"), lambda f: f.phone_number()),
    (("currency",), lambda f: f.currency_code()),
    (("url", "uri", "website", "homepage", "link", "href"), lambda f: f.url()),
    (("domain", "hostname", "host"), lambda f: f.domain_name()),
    (("ip",), lambda f: f.ipv4()),
    (("color", "colour"), lambda f: f.color_name()),
    (("job", "occupation", "role", "position"), lambda f: f.job()),
    (("language", "lang", "locale"), lambda f: f.language_name()),
    (("date", "birthday", "dob", "day"), lambda f: f.date()),
    (("time",), lambda f: f.time()),
    (("timestamp", "created", "updated", "at"), lambda f: f.iso8601() + "Z"),
    (("uuid", "guid"), lambda f: f.uuid4()),
    (("id", "key", "code", "sku", "ref", "reference"), lambda f: f.bothify("??-####").upper()),
    (("title", "headline", "subject"), lambda f: f.sentence(nb_words=4).rstrip(".")),
    (
        ("description", "summary", "bio", "text", "body", "content", "comment", "message", "note", "notes"),
        lambda f: f.sentence(nb_words=10),
    ),
    (("name", "fullname", "author", "owner", "customer", "contact"), lambda f: f.name()),
    (("word", "tag", "tags", "label", "keyword", "category", "type", "kind", "status"), lambda f: f.word()),
]

_NUMBERS: list[tuple[tuple[str, ...], tuple[float, float], int]] = [
    (("age",), (18, 90), 0),
    (("price", "amount", "cost", "total", "subtotal", "fee", "salary", "balance", "revenue"), (1, 500), 2),
    (("lat", "latitude"), (-90, 90), 6),
    (("lon", "lng", "longitude"), (-180, 180), 6),
    (("year",), (1990, 2030), 0),
    (("rating", "stars"), (1, 5), 1),
    (("score", "confidence", "probability"), (0, 1), 2),
    (("percent", "percentage", "pct"), (0, 100), 1),
    (("quantity", "qty", "count", "number", "num", "size", "items"), (1, 20), 0),
    (("temperature", "temp"), (-10, 35), 1),
    (("month",), (1, 12), 0),
    (("port",), (1024, 65535), 0),
]


def string_for_name(name: str | None, rng: random.Random) -> str | None:
    """A realistic string for a property called ``name`` (``customer_email``, ``cityName``), if one fits."""
    if not name:
        return None
    words = _words(name)
    for keys, make in _STRINGS:
        if any(w in keys for w in reversed(words)) or "".join(words) in keys:
            fake = faker(rng)
            return None if fake is None else str(make(fake))
    return None


def number_range(name: str | None) -> tuple[float, float, int] | None:
    """A realistic (low, high, decimals) for a number property called ``name``, if one fits."""
    if not name:
        return None
    words = _words(name)
    for keys, (low, high), decimals in _NUMBERS:
        if any(w in keys for w in words):
            return low, high, decimals
    return None
