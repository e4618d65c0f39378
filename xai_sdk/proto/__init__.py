"""Generated protobuf and gRPC modules for the xAI API.

Every ``*_pb2.py``, ``*_pb2.pyi`` and ``*_pb2_grpc.py`` file in this package is
produced by ``scripts/gen_protos.py`` from ``protos/xai/api/v1/`` and must not be
edited by hand. Import them as the official SDK allows::

    from xai_sdk.proto import chat_pb2, chat_pb2_grpc

Modules are loaded on first use, so ``import xai_sdk.proto`` stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

_STEMS = (
    "auth", "batch", "chat", "collections", "deferred", "documents", "embed", "files",
    "image", "models", "sample", "shared", "tokenize", "types", "usage", "video",
)  # fmt: skip
_MODULES = frozenset(f"{stem}{suffix}" for stem in _STEMS for suffix in ("_pb2", "_pb2_grpc"))


def __getattr__(name: str) -> ModuleType:
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _MODULES)
