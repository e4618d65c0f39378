"""A fast, typed gRPC client for the xAI API.

Drop-in compatible with the official ``xai-sdk`` 1.21.0. The wire contract lives in
``xai_sdk.proto`` (generated from ``protos/``).
"""

from xai_sdk.__about__ import __version__

__all__ = ["__version__"]
