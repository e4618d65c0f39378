"""The I/O-free core of chat: message helpers, request building, responses and stream accumulation.

``xai_sdk.chat`` re-exports the public names; ``xai_sdk.sync.chat`` and
``xai_sdk.aio.chat`` add only the calls.
"""
