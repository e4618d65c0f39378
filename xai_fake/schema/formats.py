"""Values for the string ``format`` values of JSON Schema (and pydantic's own formats); faker's through pools."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable
from typing import Any

from xai_fake.schema.realism import ipv4, pooled, stamp, uuid4

__all__ = ["FORMATS", "format_value"]


def _ipv6(rng: random.Random) -> str:
    return str(ipaddress.IPv6Address(0x2001_0DB8 << 96 | rng.getrandbits(96)))


def _host(rng: random.Random) -> str:
    return pooled("domain_name", rng) or f"host{rng.randint(1, 99)}.example.com"


def _email(rng: random.Random) -> str:
    return pooled("email", rng) or f"user{rng.randint(1, 999)}@example.com"


def _uri(rng: random.Random) -> str:
    return f"https://{_host(rng)}/{pooled('uri_path', rng) or 'index'}"


def _duration(rng: random.Random) -> str:
    return rng.choice(
        (f"P{rng.randint(1, 30)}D", f"PT{rng.randint(1, 23)}H{rng.randint(1, 59)}M", f"P1DT{rng.randint(1, 12)}H")
    )


FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date-time": lambda rng: "{}T{}Z".format(*stamp(rng)),
    "date": lambda rng: stamp(rng)[0],
    "time": lambda rng: stamp(rng)[1] + "Z",
    "duration": _duration,
    "email": _email,
    "idn-email": _email,
    "hostname": _host,
    "idn-hostname": _host,
    "ipv4": ipv4,
    "ipv6": _ipv6,
    "ipvanyaddress": ipv4,
    "ipv4network": lambda rng: f"10.{rng.randint(0, 255)}.0.0/16",
    "ipv6network": lambda rng: "2001:db8::/32",
    "ipvanynetwork": lambda rng: f"10.{rng.randint(0, 255)}.0.0/16",
    "ipv4interface": lambda rng: f"{ipv4(rng)}/24",
    "ipv6interface": lambda rng: f"{_ipv6(rng)}/64",
    "ipvanyinterface": lambda rng: f"{ipv4(rng)}/24",
    "uri": _uri,
    "url": _uri,
    "iri": _uri,
    "uri-reference": lambda rng: f"/docs/{rng.randint(1, 999)}",
    "iri-reference": lambda rng: f"/docs/{rng.randint(1, 999)}",
    "uri-template": lambda rng: "https://api.example.com/items/{id}",
    "uuid": uuid4,
    "json-pointer": lambda rng: rng.choice(("/items/0", "/name", "")),
    "relative-json-pointer": lambda rng: rng.choice(("0", "1/name", "0#")),
    "regex": lambda rng: rng.choice(("^[a-z]+$", "\\d{3}-\\d{4}", "[A-Z][a-z]*")),
    "password": lambda rng: f"S3cret-{rng.getrandbits(32):08x}",
    "binary": lambda rng: f"{rng.getrandbits(64):016x}",
    "byte": lambda rng: "aGVsbG8gd29ybGQ=",
    "path": lambda rng: f"/tmp/report-{rng.randint(1, 99)}.txt",
}


def format_value(fmt: Any, rng: random.Random) -> str | None:
    """A value of format ``fmt``, or None for a format this module does not know (then any string does)."""
    make = FORMATS.get(fmt) if isinstance(fmt, str) else None
    return None if make is None else make(rng)
