"""Generated protobuf and gRPC modules for the xAI API.

Every ``*_pb2.py``, ``*_pb2.pyi`` and ``*_pb2_grpc.py`` file in this package is
produced by ``scripts/gen_protos.py`` from ``protos/xai/api/v1/`` and must not be
edited by hand. Import them as the official SDK allows::

    from xai_sdk.proto import chat_pb2, chat_pb2_grpc

Modules are loaded on first use, so ``import xai_sdk.proto`` stays cheap.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType


@functools.cache
def _module_names() -> frozenset[str]:
    """``<stem>_pb2`` and ``<stem>_pb2_grpc`` for every stem of :mod:`xai_sdk._services` (read on first use)."""
    from xai_sdk._services import PROTO_STEMS

    return frozenset(f"{stem}{suffix}" for stem in PROTO_STEMS for suffix in ("_pb2", "_pb2_grpc"))


def __getattr__(name: str) -> ModuleType:
    if name in _module_names():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _module_names())
