"""One check for enum values in requests, with one message style."""

from __future__ import annotations

from typing import Any

from xai_fake.errors import invalid_argument


def check_enum(field: str, value: int, enum: Any, *, allow_zero: bool = True) -> int:
    """``value`` if ``enum`` (a generated enum wrapper, e.g. ``chat_pb2.MessageRole``) defines it.

    Otherwise INVALID_ARGUMENT, as from the real API:
    ``"<field> has no value 7; use one of A, B, C"``.
    ``allow_zero=False`` also refuses the enum's zero value (``*_INVALID`` / ``*_UNSPECIFIED``).
    """
    known = [(name, number) for name, number in enum.items() if allow_zero or number != 0]
    if any(number == value for _, number in known):
        return value
    names = ", ".join(name for name, _ in known)
    raise invalid_argument(f"{field} has no value {value}; use one of {names}")
