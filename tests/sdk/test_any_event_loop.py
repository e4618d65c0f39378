"""One ``AsyncClient`` on any event loop: successive ``asyncio.run`` calls, threads with loops of their own.

A grpc.aio channel belongs to one loop; the client opens one per loop it is used in (see
``xai_sdk/aio/_loop_channels.py``), drops those whose loop has closed, and closes them all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import threading
import warnings

import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_sdk.chat import user

SAMPLE = "xai_api.Chat/GetCompletion"


async def ask(client: xai_sdk.AsyncClient, text: str) -> str:
    chat = client.chat.create("grok-4", messages=[user(text)], user=text)
    response = await chat.sample(timeout=30)
    pieces = [chunk async for _, chunk in client.chat.create("grok-4", messages=[user(text)]).stream(timeout=30)]
    assert pieces
    return response.content


def test_a_client_made_outside_any_loop_serves_successive_asyncio_runs(xai_fake_server: FakeServer) -> None:
    client = xai_fake_server.async_client()  # no loop runs here: a module-level client, say
    channels = client._api_channel
    assert channels.open_channels == 0
    for run in range(3):
        assert asyncio.run(ask(client, f"run {run}"))
        # The loop of that run has closed: its channel no longer counts, and goes when the next opens.
        assert channels.open_channels == 0
    assert [call.request.user for call in xai_fake_server.requests.of(SAMPLE)] == ["run 0", "run 1", "run 2"]
    assert len(channels._channels) <= 1
    asyncio.run(client.close())


def test_threads_each_running_a_loop_share_one_client(xai_fake_server: FakeServer) -> None:
    client = xai_fake_server.async_client()
    threads = 4
    started = threading.Barrier(threads)
    loops: list[asyncio.AbstractEventLoop] = []

    async def in_thread(index: int) -> list[str]:
        loops.append(asyncio.get_running_loop())
        started.wait(10)  # all four loops run at once
        return [await ask(client, f"t{index}-{call}") for call in range(3)]

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda index: asyncio.run(in_thread(index)), range(threads), timeout=60))
    assert all(len(answers) == 3 and all(answers) for answers in results)
    assert len(set(map(id, loops))) == threads
    users = sorted(call.request.user for call in xai_fake_server.requests.of(SAMPLE))
    assert users == sorted(f"t{t}-{c}" for t in range(threads) for c in range(3))
    asyncio.run(client.close())


def test_close_closes_the_channels_of_loops_still_running(xai_fake_server: FakeServer) -> None:
    client = xai_fake_server.async_client()
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(ask(client, "other loop"), other).result(30)
        other_channel = client._api_channel._channels[other]

        async def here() -> None:
            await ask(client, "this loop")
            assert client._api_channel.open_channels == 2
            await client.close()

        asyncio.run(here())
        # The other loop's channel was closed in that loop: a call there now fails at once, in gRPC.
        with pytest.raises(Exception, match="Channel is closed") as raised:
            asyncio.run_coroutine_threadsafe(ask(client, "after close"), other).result(30)
        assert type(raised.value).__name__ == "UsageError"
        assert other_channel is not None
        # A loop new to the closed client gets no channel.
        with pytest.raises(RuntimeError, match="this AsyncClient is closed; create a new one"):
            asyncio.run(ask(client, "new loop"))
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(10)
        other.close()


def test_no_warnings_when_loops_come_and_go(xai_fake_server: FakeServer) -> None:
    client = xai_fake_server.async_client()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for run in range(3):
            asyncio.run(ask(client, f"quiet {run}"))
        gc.collect()
        asyncio.run(client.close())
