"""Realistic values: faker (imported on first use) through pools, and hints from property names.

faker is slow per value (a name costs about 130 µs, a domain 270 µs, re-seeding 50 µs), so its
values come from pools: value ``i`` of a kind (``name``, ``city``, ``email``...) is what faker
makes when seeded with a fixed seed of its own for (kind, ``i``), made on first use and kept.
A request's generator picks the index, so answers stay seeded (the same seed and request give
the same value in every process, whatever was asked before) and realistic, with
:data:`POOL` values per kind. Identifier-like values (ids, UUIDs, dates, times, IP addresses,
postcodes) are drawn straight from the request's generator instead: a pool would repeat them.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import re
import threading
import zlib
from collections.abc import Callable
from typing import Any

__all__ = ["POOL", "faker", "ipv4", "number_range", "pooled", "stamp", "string_for_name", "uuid4"]

#: How many values each faker-made kind draws from.
POOL = 256

_local = threading.local()


def _instance() -> Any:
    """The thread's Faker (en_US), or None when faker is not installed."""
    fake = getattr(_local, "faker", None)
    if fake is None:
        try:
            from faker import Faker
        except ImportError:  # pragma: no cover - faker is in the fake extra
            return None
        fake = _local.faker = Faker("en_US")
    return fake


def faker(rng: random.Random) -> Any:
    """A per-thread Faker re-seeded from ``rng``, or None when faker is not installed."""
    fake = _instance()
    if fake is not None:
        fake.seed_instance(rng.getrandbits(32))
    return fake


#: What faker makes for each pooled kind.
_FAKER: dict[str, Callable[[Any], Any]] = {
    "email": lambda f: f.email(),
    "first_name": lambda f: f.first_name(),
    "last_name": lambda f: f.last_name(),
    "user_name": lambda f: f.user_name(),
    "company": lambda f: f.company(),
    "city": lambda f: f.city(),
    "country": lambda f: f.country(),
    "state": lambda f: f.state(),
    "street_address": lambda f: f.street_address(),
    "phone_number": lambda f: f.phone_number(),
    "currency_code": lambda f: f.currency_code(),
    "url": lambda f: f.url(),
    "domain_name": lambda f: f.domain_name(),
    "uri_path": lambda f: f.uri_path(),
    "color_name": lambda f: f.color_name(),
    "job": lambda f: f.job(),
    "language_name": lambda f: f.language_name(),
    "title": lambda f: f.sentence(nb_words=4).rstrip("."),
    "sentence": lambda f: f.sentence(nb_words=10),
    "name": lambda f: f.name(),
    "word": lambda f: f.word(),
}

_pools: dict[str, dict[int, str]] = {kind: {} for kind in _FAKER}


def pooled(kind: str, rng: random.Random) -> str | None:
    """A realistic value of faker's ``kind`` (a key of the pools: ``name``, ``email``...), picked by ``rng``.

    None when faker is not installed. (One draw from ``rng`` either way.)
    """
    index = rng.randrange(POOL)
    pool = _pools[kind]
    value = pool.get(index)
    if value is None:  # made on first use (two threads may both make it: the same value)
        fake = _instance()
        if fake is None:
            return None
        fake.seed_instance(zlib.crc32(kind.encode()) * POOL + index)
        value = pool[index] = str(_FAKER[kind](fake))
    return value


def stamp(rng: random.Random) -> tuple[str, str]:
    """A date (2019 to 2026) and a time of day."""
    date = f"{rng.randint(2019, 2026):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    time = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return date, time


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID from ``rng``."""
    text = f"{rng.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[rng.randint(0, 3)]}{text[17:20]}-{text[20:]}"


def ipv4(rng: random.Random) -> str:
    """A private or documentation IPv4 address."""
    return str(ipaddress.IPv4Address(rng.choice((10, 172, 192, 203)) << 24 | rng.getrandbits(24)))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Property-name words -> how a realistic string for them is made (a pooled faker kind, or a function of the rng).
_STRINGS: list[tuple[tuple[str, ...], str | Callable[[random.Random], str]]] = [
    (("email", "mail"), "email"),
    (("first",), "first_name"),
    (("last", "surname", "family"), "last_name"),
    (("username", "login", "handle", "user"), "user_name"),
    (("company", "organization", "organisation", "employer", "vendor", "brand"), "company"),
    (("city", "town"), "city"),
    (("country",), "country"),
    (("state", "province", "region"), "state"),
    (("street", "address", "line1"), "street_address"),
    (("zip", "postal", "postcode", "zipcode"), lambda rng: f"{rng.randint(501, 99950):05d}"),
    (("phone", "mobile", "tel", "telephone", "fax"), "phone_number"),
    (("currency",), "currency_code"),
    (("url", "uri", "website", "homepage", "link", "href"), "url"),
    (("domain", "hostname", "host"), "domain_name"),
    (("ip",), ipv4),
    (("color", "colour"), "color_name"),
    (("job", "occupation", "role", "position"), "job"),
    (("language", "lang", "locale"), "language_name"),
    (("date", "birthday", "dob", "day"), lambda rng: stamp(rng)[0]),
    (("time",), lambda rng: stamp(rng)[1]),
    (("timestamp", "created", "updated", "at"), lambda rng: "{}T{}Z".format(*stamp(rng))),
    (("uuid", "guid"), uuid4),
    (
        ("id", "key", "code", "sku", "ref", "reference"),
        lambda rng: "".join(rng.choice(_LETTERS) for _ in range(2)) + f"-{rng.randint(0, 9999):04d}",
    ),
    (("title", "headline", "subject"), "title"),
    (
        ("description", "summary", "bio", "text", "body", "content", "comment", "message", "note", "notes"),
        "sentence",
    ),
    (("name", "fullname", "author", "owner", "customer", "contact"), "name"),
    (("word", "tag", "tags", "label", "keyword", "category", "type", "kind", "status"), "word"),
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


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


@functools.lru_cache(maxsize=4096)
def _string_maker(name: str) -> str | Callable[[random.Random], str] | None:
    """How a realistic string for a property called ``name`` is made, if one fits (the first rule that does)."""
    words = _words(name)
    for keys, make in _STRINGS:
        if any(w in keys for w in reversed(words)) or "".join(words) in keys:
            return make
    return None


def string_for_name(name: str | None, rng: random.Random) -> str | None:
    """A realistic string for a property called ``name`` (``customer_email``, ``cityName``), if one fits."""
    if not name:
        return None
    make = _string_maker(name)
    if make is None:
        return None
    return pooled(make, rng) if isinstance(make, str) else make(rng)


@functools.lru_cache(maxsize=4096)
def number_range(name: str | None) -> tuple[float, float, int] | None:
    """A realistic (low, high, decimals) for a number property called ``name``, if one fits."""
    if not name:
        return None
    words = _words(name)
    for keys, (low, high), decimals in _NUMBERS:
        if any(w in keys for w in words):
            return low, high, decimals
    return None
