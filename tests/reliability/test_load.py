"""Load: many callers at once against one fake, each checking it got its own scripted answer.

The scripts answer from the request (the ``user`` field and the message text both name the
caller), so a lost, swapped or duplicated answer shows up as a wrong answer, a missing caller
or a wrong count in the request log. Every wait is bounded: a hung call fails the test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import pytest

import xai_sdk
from xai_fake import FakeServer
from xai_fake.defaults.chat import Answer, chunks_of
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2

ASYNC_CALLS = 5000  # half of them streams; beyond gRPC's default of 1,000 pending calls (MAX_PENDING_CALLS)
THREADS, CALLS_PER_THREAD = 16, 30
OVERALL_TIMEOUT = 90.0
PER_CALL_TIMEOUT = 60.0
SAMPLE, STREAM = "xai_api.Chat/GetCompletion", "xai_api.Chat/GetCompletionChunk"


def answer_for(request: chat_pb2.GetCompletionsRequest) -> str:
    return f"answer to {request.user}: {request.messages[0].content[0].text}"


def script_echo(fake: FakeServer) -> None:
    """Answer every chat call (sampled or streamed) with text naming the caller."""
    chat = fake.defaults.services["xai_api.Chat"]

    def sample(request: chat_pb2.GetCompletionsRequest, context: object) -> Any:
        return chat.respond(request, Answer(content=answer_for(request)))

    def stream(request: chat_pb2.GetCompletionsRequest, context: object) -> Any:
        content = answer_for(request)
        return chunks_of(chat.respond(request, Answer(content=content)), [content[:10], content[10:]])

    fake.script(SAMPLE).respond_with(sample)
    fake.script(STREAM).respond_with(stream)


def assert_log_matches(fake: FakeServer, expected: dict[str, set[str]]) -> None:
    """Exactly one logged, finished, successful call per caller, of the expected method."""
    assert fake.requests.counts() == {method: len(callers) for method, callers in expected.items() if callers}
    for method, callers in expected.items():
        calls = fake.requests.of(method)
        assert sorted(call.request.user for call in calls) == sorted(callers)  # type: ignore[attr-defined]
        assert all(call.finished and call.code.name == "OK" for call in calls)


async def test_concurrent_async_calls_each_get_their_own_answer(
    xai_fake_server: FakeServer, xai_async_client: xai_sdk.AsyncClient
) -> None:
    script_echo(xai_fake_server)

    async def caller(index: int) -> tuple[str, str]:
        name = f"caller-{index}"
        chat = xai_async_client.chat.create("grok-4", messages=[user(f"question {index}")], user=name)
        if index % 2:
            pairs = [pair async for pair in chat.stream(timeout=PER_CALL_TIMEOUT)]
            response = pairs[-1][0]
        else:
            response = await chat.sample(timeout=PER_CALL_TIMEOUT)
        return name, response.content

    results = await asyncio.wait_for(asyncio.gather(*(caller(index) for index in range(ASYNC_CALLS))), OVERALL_TIMEOUT)

    assert len(results) == ASYNC_CALLS
    for index, (name, content) in enumerate(results):
        assert content == f"answer to {name}: question {index}"
    assert_log_matches(
        xai_fake_server,
        {
            SAMPLE: {f"caller-{i}" for i in range(0, ASYNC_CALLS, 2)},
            STREAM: {f"caller-{i}" for i in range(1, ASYNC_CALLS, 2)},
        },
    )


@pytest.mark.parametrize("shared_client", [True, False], ids=["one_client", "client_per_thread"])
def test_threads_of_sync_calls_each_get_their_own_answer(xai_fake_server: FakeServer, shared_client: bool) -> None:
    script_echo(xai_fake_server)
    shared = xai_fake_server.client() if shared_client else None

    def worker(thread: int) -> list[tuple[str, str, str]]:
        client = shared or xai_fake_server.client()
        try:
            results = []
            for call in range(CALLS_PER_THREAD):
                name = f"t{thread}-c{call}"
                chat = client.chat.create("grok-4", messages=[user(f"q{thread}.{call}")], user=name)
                if call % 2:
                    response = list(chat.stream(timeout=PER_CALL_TIMEOUT))[-1][0]
                else:
                    response = chat.sample(timeout=PER_CALL_TIMEOUT)
                results.append((name, f"q{thread}.{call}", response.content))
            return results
        finally:
            if shared is None:
                client.close()

    try:
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(worker, thread) for thread in range(THREADS)]
            _, pending = concurrent.futures.wait(futures, timeout=OVERALL_TIMEOUT)
            assert not pending, f"{len(pending)} threads hung"
            results = [row for future in futures for row in future.result()]
    finally:
        if shared is not None:
            shared.close()

    assert len(results) == THREADS * CALLS_PER_THREAD
    for name, question, content in results:
        assert content == f"answer to {name}: {question}"
    names = [f"t{t}-c{c}" for t in range(THREADS) for c in range(CALLS_PER_THREAD)]
    assert_log_matches(
        xai_fake_server,
        {
            SAMPLE: {n for n in names if int(n.split("-c")[1]) % 2 == 0},
            STREAM: {n for n in names if int(n.split("-c")[1]) % 2},
        },
    )
