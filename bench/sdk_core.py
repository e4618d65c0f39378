"""SDK-versus-bare-stub measurements, for any xai_sdk-compatible package.

Imports only the standard library, grpc and whatever ``xai_sdk`` the interpreter has, so
the same code measures our SDK (from ``run.py``) and the official one (through
``official_worker.py`` in the official virtualenv). The bare side is the generated
``ChatStub`` on a plain channel, sending the same request proto with the API key and the
same deadline: the least a real caller of the API sends.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import grpc
from abtiming import Comparison, alternate, alternate_async

API_KEY = "xai-bench-key"
TIMEOUT = 1620.0
BARE_METADATA = (("authorization", f"Bearer {API_KEY}"),)


class Sdk:
    """The ``xai_sdk`` package of this interpreter and its generated chat stub module."""

    def __init__(self, stub_module: str) -> None:
        self.package: Any = importlib.import_module("xai_sdk")
        self.chat: Any = importlib.import_module("xai_sdk.chat")
        self.stubs: Any = importlib.import_module(stub_module)

    def new_chat(self, client: Any, max_tokens: int | None = None) -> Any:
        return client.chat.create(model="grok-4", messages=[self.chat.user("Say something.")], max_tokens=max_tokens)


def unary_sync(sdk: Sdk, port: int, *, rounds: int, calls: int) -> Comparison:
    """``chat.sample()`` (A) against ``ChatStub.GetCompletion`` (B), blocking."""
    target = f"127.0.0.1:{port}"
    client = sdk.package.Client(api_key=API_KEY, api_host=target, use_insecure_channel=True)
    channel = grpc.insecure_channel(target)
    try:
        stub = sdk.stubs.ChatStub(channel)
        chat = sdk.new_chat(client)
        request = chat.proto
        return alternate(
            chat.sample,
            lambda: stub.GetCompletion(request, metadata=BARE_METADATA, timeout=TIMEOUT),
            rounds=rounds,
            calls=calls,
        )
    finally:
        channel.close()
        client.close()


def create_and_sample_sync(sdk: Sdk, port: int, *, rounds: int, calls: int) -> Comparison:
    """``chat.create(...)`` then ``sample()`` (A) against the bare call (B): the whole user-visible cost."""
    target = f"127.0.0.1:{port}"
    client = sdk.package.Client(api_key=API_KEY, api_host=target, use_insecure_channel=True)
    channel = grpc.insecure_channel(target)
    try:
        stub = sdk.stubs.ChatStub(channel)
        request = sdk.new_chat(client).proto
        return alternate(
            lambda: sdk.new_chat(client).sample(),
            lambda: stub.GetCompletion(request, metadata=BARE_METADATA, timeout=TIMEOUT),
            rounds=rounds,
            calls=calls,
        )
    finally:
        channel.close()
        client.close()


async def _unary_async(sdk: Sdk, port: int, rounds: int, calls: int) -> Comparison:
    target = f"127.0.0.1:{port}"
    client = sdk.package.AsyncClient(api_key=API_KEY, api_host=target, use_insecure_channel=True)
    channel = grpc.aio.insecure_channel(target)
    try:
        stub = sdk.stubs.ChatStub(channel)
        chat = sdk.new_chat(client)
        request = chat.proto

        async def bare() -> object:
            return await stub.GetCompletion(request, metadata=BARE_METADATA, timeout=TIMEOUT)

        return await alternate_async(chat.sample, bare, rounds=rounds, calls=calls)
    finally:
        await channel.close(None)
        closed = client.close()
        if asyncio.iscoroutine(closed):
            await closed


def unary_async(sdk: Sdk, port: int, *, rounds: int, calls: int) -> Comparison:
    """``await chat.sample()`` (A) against ``await ChatStub.GetCompletion`` (B) on a ``grpc.aio`` channel."""
    return asyncio.run(_unary_async(sdk, port, rounds, calls))


def stream_sync(sdk: Sdk, port: int, *, chunks: int, rounds: int, calls: int, warmup: int = 1) -> Comparison:
    """Iterating ``chat.stream()`` (A) against iterating ``ChatStub.GetCompletionChunk`` (B), ``chunks`` each."""
    target = f"127.0.0.1:{port}"
    client = sdk.package.Client(api_key=API_KEY, api_host=target, use_insecure_channel=True)
    channel = grpc.insecure_channel(target)
    try:
        stub = sdk.stubs.ChatStub(channel)
        chat = sdk.new_chat(client, max_tokens=chunks)
        request = chat.proto

        def through_sdk() -> None:
            count = 0
            for _response, _chunk in chat.stream():
                count += 1
            assert count == chunks, count

        def bare() -> None:
            count = 0
            for _chunk in stub.GetCompletionChunk(request, metadata=BARE_METADATA, timeout=TIMEOUT):
                count += 1
            assert count == chunks, count

        return alternate(through_sdk, bare, rounds=rounds, calls=calls, warmup=warmup)
    finally:
        channel.close()
        client.close()
