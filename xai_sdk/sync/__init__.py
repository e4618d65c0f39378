"""The blocking client, :class:`xai_sdk.sync.client.Client` (also ``xai_sdk.Client``), and its services.

Submodules load on first use, so type hints such as ``xai_sdk.sync.chat.Chat`` work after
a plain ``import xai_sdk``.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def __getattr__(name: str) -> ModuleType:
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
