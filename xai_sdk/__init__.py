"""A fast, typed gRPC client for the xAI API, drop-in compatible with the official ``xai-sdk`` 1.21.0.

::

    from xai_sdk import Client
    from xai_sdk.chat import user

    client = Client()  # XAI_API_KEY, and XAI_API_HOST for an emulator such as xai-fake
    chat = client.chat.create(model="grok-4", messages=[user("Hello")])
    print(chat.sample().content)

``Client`` and ``AsyncClient`` are imported on first use, so ``import xai_sdk`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from xai_sdk.__about__ import __version__

if TYPE_CHECKING:
    from xai_sdk import aio, sync
    from xai_sdk.aio.client import Client as AsyncClient
    from xai_sdk.sync.client import Client

__all__ = ["AsyncClient", "Client", "__version__", "aio", "sync"]

_LAZY = {
    "Client": ("xai_sdk.sync.client", "Client"),
    "AsyncClient": ("xai_sdk.aio.client", "Client"),
    "sync": ("xai_sdk.sync", None),
    "aio": ("xai_sdk.aio", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'xai_sdk' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
