"""Literal types shared by several services."""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["ServiceTier"]

#: The processing tier of a request: ``"priority"`` trades cost for lower latency.
ServiceTier: TypeAlias = Literal["default", "priority"]
