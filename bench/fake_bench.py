"""Fake server overhead (4) and throughput (7): xai_fake against the bare canned servicer.

Both servers run in child processes and are driven by the same client from this process,
so what differs between A and B is the server alone.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

import canned
import grpc
from abtiming import Comparison, alternate
from sdk_core import BARE_METADATA, TIMEOUT

from xai_sdk import AsyncClient, Client
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc


def request() -> chat_pb2.GetCompletionsRequest:
    """The request the bare stub sends to both servers."""
    return chat_pb2.GetCompletionsRequest(
        model=canned.MODEL,
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Say something.")])],
    )


def round_trip(fake_port: int, bare_port: int, *, rounds: int, calls: int) -> Comparison:
    """A bare-stub ``GetCompletion`` against the fake (A) and against the canned servicer (B)."""
    message = request()
    fake_channel = grpc.insecure_channel(f"127.0.0.1:{fake_port}")
    bare_channel = grpc.insecure_channel(f"127.0.0.1:{bare_port}")
    try:
        fake: Any = chat_pb2_grpc.ChatStub(fake_channel)
        bare: Any = chat_pb2_grpc.ChatStub(bare_channel)
        return alternate(
            lambda: fake.GetCompletion(message, metadata=BARE_METADATA, timeout=TIMEOUT),
            lambda: bare.GetCompletion(message, metadata=BARE_METADATA, timeout=TIMEOUT),
            rounds=rounds,
            calls=calls,
        )
    finally:
        fake_channel.close()
        bare_channel.close()


def session_round_trip(fake_port: int, *, rounds: int, calls: int) -> Comparison:
    """The same scripted ``GetCompletion`` on one fake: in a session (A) and unscoped (B)."""
    from fake_proc import SESSION

    message = request()
    scoped = (*BARE_METADATA, ("x-xai-fake-session", SESSION))
    channel = grpc.insecure_channel(f"127.0.0.1:{fake_port}")
    try:
        stub: Any = chat_pb2_grpc.ChatStub(channel)
        return alternate(
            lambda: stub.GetCompletion(message, metadata=scoped, timeout=TIMEOUT),
            lambda: stub.GetCompletion(message, metadata=BARE_METADATA, timeout=TIMEOUT),
            rounds=rounds,
            calls=calls,
        )
    finally:
        channel.close()


async def _gather_round(client: AsyncClient, concurrency: int) -> float:
    chats = [client.chat.create(model=canned.MODEL, messages=[user("Say something.")]) for _ in range(concurrency)]
    start = time.perf_counter()
    await asyncio.gather(*(chat.sample() for chat in chats))
    return concurrency / (time.perf_counter() - start)


async def _async_throughput(fake_port: int, bare_port: int, concurrency: int, rounds: int) -> tuple[float, float]:
    fake = AsyncClient(api_key="bench", api_host=f"127.0.0.1:{fake_port}")
    bare = AsyncClient(api_key="bench", api_host=f"127.0.0.1:{bare_port}")
    try:
        await _gather_round(fake, concurrency)
        await _gather_round(bare, concurrency)
        fake_rates: list[float] = []
        bare_rates: list[float] = []
        for index in range(rounds):
            order = [(fake, fake_rates), (bare, bare_rates)]
            for client, rates in order[::-1] if index % 2 else order:
                rates.append(await _gather_round(client, concurrency))
        return statistics.median(fake_rates), statistics.median(bare_rates)
    finally:
        await fake.close()
        await bare.close()


def async_throughput(fake_port: int, bare_port: int, *, concurrency: int, rounds: int) -> tuple[float, float]:
    """Calls per second of ``concurrency`` simultaneous ``await chat.sample()``: (fake, bare servicer)."""
    return asyncio.run(_async_throughput(fake_port, bare_port, concurrency, rounds))


def _threads_round(client: Client, threads: int, calls: int) -> float:
    chats = [client.chat.create(model=canned.MODEL, messages=[user("Say something.")]) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def work(index: int) -> None:
        barrier.wait()
        for _ in range(calls):
            chats[index].sample()

    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return threads * calls / (time.perf_counter() - start)


def thread_throughput(fake_port: int, bare_port: int, *, threads: int, calls: int, rounds: int) -> tuple[float, float]:
    """Calls per second of ``threads`` threads making ``calls`` blocking calls each: (fake, bare servicer)."""
    with (
        Client(api_key="bench", api_host=f"127.0.0.1:{fake_port}") as fake,
        Client(api_key="bench", api_host=f"127.0.0.1:{bare_port}") as bare,
    ):
        _threads_round(fake, threads, 2)
        _threads_round(bare, threads, 2)
        fake_rates: list[float] = []
        bare_rates: list[float] = []
        for index in range(rounds):
            order = [(fake, fake_rates), (bare, bare_rates)]
            for client, rates in order[::-1] if index % 2 else order:
                rates.append(_threads_round(client, threads, calls))
        return statistics.median(fake_rates), statistics.median(bare_rates)
