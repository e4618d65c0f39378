"""Secrets: API and management keys never show in log lines, error messages or the request log.

A fake with its own distinctive keys serves a mix of succeeding and failing calls (wrong key,
wrong kind of key, injected faults, bad arguments, deadlines, missing objects) from the sync
and the async client, with every logger at DEBUG; then every captured text is searched for
every key, including the wrong keys the test itself sent.
"""

from __future__ import annotations

import logging
import pprint
import traceback
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from tests.reliability.conftest import Api, Mode
from xai_fake import FakeServer
from xai_sdk._channel import call_metadata
from xai_sdk.chat import user

API_KEY = "xai-S3CRET-api-7f2c9e41d0b8"
MANAGEMENT_KEY = "xai-S3CRET-mgmt-5a61be07c3f9"
WRONG_KEY = "xai-S3CRET-wrong-93d2aa1f6e04"
SECRETS = (API_KEY, MANAGEMENT_KEY, WRONG_KEY)
LOGGERS = ("xai_fake", "xai_sdk", "grpc", "grpc._cython.cygrpc", "grpc.aio", "asyncio")


@pytest.fixture
async def secret_fake() -> AsyncIterator[FakeServer]:
    fake = FakeServer(api_keys=[API_KEY], management_keys=[MANAGEMENT_KEY]).start()
    try:
        yield fake
    finally:
        fake.stop()


def error_texts(error: BaseException) -> list[str]:
    """Everything a user may print or log about an error."""
    texts = [str(error), repr(error), str(error.args)]
    for name in ("details", "debug_error_string", "trailing_metadata", "initial_metadata", "code"):
        method = getattr(error, name, None)
        if callable(method):
            texts.append(repr(method()))
    return texts


async def attempt(texts: list[str], action: Any) -> None:
    """Run one call; record the texts of its error, if any."""
    try:
        await action()
    except (grpc.RpcError, ValueError) as error:
        texts.extend(error_texts(error))


async def scenarios(fake: FakeServer, mode: Mode, texts: list[str]) -> None:
    async with Api(fake, mode, api_key=API_KEY, management_api_key=MANAGEMENT_KEY) as api:
        client = api.client

        async def call(function: Any, *args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            return (await result) if mode == "async" else result

        await attempt(texts, api.sample)  # succeeds
        await attempt(texts, api.stream)  # succeeds
        await attempt(texts, lambda: call(client.models.list_language_models))  # succeeds
        await attempt(texts, lambda: call(client.collections.create, "mine"))  # management key, succeeds
        fake.fault(grpc.StatusCode.UNAVAILABLE, times=5, method="Chat/GetCompletion")
        await attempt(texts, api.sample)  # retried, then UNAVAILABLE
        fake.fault(grpc.StatusCode.INTERNAL, "boom", times=1, method="Chat/GetCompletionChunk")
        await attempt(texts, api.stream)
        await attempt(texts, lambda: call(client.chat.create("no-such-model", messages=[user("x")]).sample))
        await attempt(texts, lambda: call(client.files.get, "file-missing"))
        fake.fault(delay=5, times=1, method="Chat/GetCompletion")
        await attempt(texts, lambda: api.sample(timeout=0.05))  # DEADLINE_EXCEEDED
        await attempt(texts, lambda: call(client.chat.create("grok-4").sample))  # ValueError: no messages

        def crash(request: Any, context: Any) -> Any:
            raise RuntimeError("a bug in a scripted answer")  # the fake logs it with its traceback

        fake.script("Models/ListLanguageModels").respond_with(crash, times=1)
        await attempt(texts, lambda: call(client.models.list_language_models))  # INTERNAL

    # The API key where the management key belongs, and a key the server does not know.
    async with Api(fake, mode, api_key=API_KEY, management_api_key=API_KEY) as api:
        await attempt(texts, lambda: call_of(api, api.client.collections.create, "x"))
    async with Api(fake, mode, api_key=WRONG_KEY, management_api_key=WRONG_KEY) as api:
        await attempt(texts, api.sample)
        await attempt(texts, lambda: call_of(api, api.client.collections.list))


async def call_of(api: Api, function: Any, *args: Any, **kwargs: Any) -> Any:
    result = function(*args, **kwargs)
    return (await result) if api.mode == "async" else result


async def test_keys_never_leak(
    secret_fake: FakeServer, mode: Mode, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    texts: list[str] = []

    await scenarios(secret_fake, mode, texts)

    codes = [call.code for call in secret_fake.requests]
    assert any(record.name == "xai_fake" and record.exc_text for record in caplog.records)
    assert grpc.StatusCode.OK in codes and grpc.StatusCode.UNAUTHENTICATED in codes  # both kinds happened
    assert len(texts) >= 8 * 5  # every failing scenario produced its texts
    captured = capfd.readouterr()
    sources = {
        "error texts": "\n".join(texts),
        "log records": "\n".join(
            f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in caplog.records
        ),
        "formatted logs": caplog.text,
        "stdout/stderr": captured.out + captured.err,
        "request log": repr(secret_fake.requests.calls),
        "request metadata": repr([call.metadata for call in secret_fake.requests]),
        "fault and script state": repr(secret_fake.faults.rules),
    }
    for source, text in sources.items():
        for secret in SECRETS:
            assert secret not in text, f"a key leaked into the {source}"
            assert secret[4:] not in text, f"part of a key leaked into the {source}"


# -- captured locals: tracebacks, pytest -l ---------------------------------------------------


async def failing_call(api: Api, kind: str) -> BaseException:
    """Fail one SDK call of ``kind`` against the fake with INTERNAL; the error, with its traceback."""
    method = {"unary": "Chat/GetCompletion", "stream": "Chat/GetCompletionChunk", "upload": "Files/UploadFile"}[kind]
    api.fake.fault(grpc.StatusCode.INTERNAL, "boom", times=1, method=method)
    try:
        if kind == "unary":
            await api.sample()
        elif kind == "stream":
            await api.stream()
        else:
            await call_of(api, api.client.files.upload, b"some bytes", filename="notes.txt")
    except grpc.RpcError as error:
        return error
    raise AssertionError(f"the {kind} call did not fail")


@pytest.mark.parametrize("kind", ["unary", "stream", "upload"])
async def test_captured_locals_tracebacks_show_no_key(secret_fake: FakeServer, mode: Mode, kind: str) -> None:
    async with Api(secret_fake, mode, api_key=API_KEY, management_api_key=MANAGEMENT_KEY) as api:
        error = await failing_call(api, kind)
        shown = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
        views = [repr(api.client.stubs.kwargs()), repr(api.client._config), pprint.pformat(vars(api.client))]
    assert "self = " in shown and "xai_sdk" in shown, "the SDK's frames and their locals are in the traceback"
    assert "'Bearer <redacted>'" in shown + views[0]
    for text in (shown, *views):
        for secret in SECRETS:
            assert secret not in text and secret[4:] not in text


def test_the_key_value_is_sent_as_it_is() -> None:
    pair = call_metadata(API_KEY, None)[0]
    assert pair == ("authorization", f"Bearer {API_KEY}") and str(pair[1]) == f"Bearer {API_KEY}"
    assert f"{pair[1]}" == f"Bearer {API_KEY}" and pair[1].encode() == f"Bearer {API_KEY}".encode()
    assert repr(pair) == "('authorization', 'Bearer <redacted>')"
    assert isinstance(pair[1], str)


SHOW_LOCALS_TEST = """
import os

import grpc
import pytest

from xai_fake import FakeServer
from xai_sdk.chat import user


@pytest.fixture
def client():
    key = os.environ["SECRET_UNDER_TEST"]
    with FakeServer(api_keys=[key]) as fake:
        fake.fault(grpc.StatusCode.INTERNAL, "boom", method="Chat/GetCompletion")
        with fake.client(api_key=key) as client:
            yield client


def test_a_failing_call(client):
    chat = client.chat.create("grok-4", messages=[user("hi")])
    chat.sample()
"""


def test_pytest_showlocals_shows_no_key(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_UNDER_TEST", API_KEY)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_show_locals=SHOW_LOCALS_TEST)
    result = pytester.runpytest("-l", "--tb=long", "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "StatusCode.INTERNAL" in output and "'Bearer <redacted>'" in output, "the locals were shown"
    assert API_KEY not in output and API_KEY[4:] not in output
