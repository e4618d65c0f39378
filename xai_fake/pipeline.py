"""The path of one request through the fake's layers.

auth -> faults -> scripts -> cassette -> defaults, with every call written to the request log.
While a cassette records (a proxy to the real API), the key check is left to the upstream.
Whatever a layer answers with is normalised here into response messages.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf.message import Message

from xai_fake.auth import AuthPolicy
from xai_fake.errors import FakeRpcError
from xai_fake.faults import Faults
from xai_fake.log import LoggedCall, RequestLog
from xai_fake.methods import Method
from xai_fake.scripts import Error, Scripts, Stream

if TYPE_CHECKING:
    from xai_fake.cassette.layer import CassetteLayer

logger = logging.getLogger("xai_fake")

Behaviour = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Any]
REDACTED = "<redacted>"
_SECRET_KEYS = frozenset({"authorization", "x-api-key", "cookie"})


def loggable_metadata(context: grpc.aio.ServicerContext[Any, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(full metadata, metadata with credentials redacted)."""
    full: dict[str, str] = {}
    for key, value in context.invocation_metadata() or ():
        full[key] = value if isinstance(value, str) else value.decode("latin-1")
    return full, {k: (REDACTED if k in _SECRET_KEYS else v) for k, v in full.items()}


class Pipeline:
    """Runs the layers for every call. Built by :class:`~xai_fake.server.FakeServer`."""

    def __init__(
        self,
        auth: AuthPolicy,
        faults: Faults,
        scripts: Scripts,
        defaults: Callable[[Method], Behaviour],
        log: RequestLog,
    ) -> None:
        self.auth = auth
        self.faults = faults
        self.scripts = scripts
        self.defaults = defaults
        self.log = log
        #: Layer 4, set by ``FakeServer(cassette=...)`` and ``fake.use_cassette(...)``.
        self.cassette: CassetteLayer | None = None

    async def unary(
        self, method: Method, requests: list[Message], context: grpc.aio.ServicerContext[Any, Any]
    ) -> Message:
        """Handle a call whose response is a single message."""
        responses = [m async for m in self._run(method, requests, context, single=True)]
        return responses[0]

    def stream(
        self, method: Method, requests: list[Message], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Message]:
        """Handle a call with a streamed response, yielding its messages."""
        return self._run(method, requests, context, single=False)

    async def _run(
        self, method: Method, requests: list[Message], context: grpc.aio.ServicerContext[Any, Any], *, single: bool
    ) -> AsyncIterator[Message]:
        metadata, shown = loggable_metadata(context)
        entry = LoggedCall(method.full_name, requests, shown, time_remaining=context.time_remaining())
        self.log.append(entry)
        try:
            cassette = self.cassette
            if cassette is None or not cassette.recording:
                self.auth.check(method.service, metadata)
            plan = self.faults.plan(method.full_name, method.service)
            if plan.delay:
                await asyncio.sleep(plan.delay)
            if plan.code is not None:
                raise FakeRpcError(plan.code, plan.details or f"injected {plan.code.name} (xai_fake fault)")
            answer = self.scripts.take(method.full_name)
            if answer is None and cassette is not None:
                answer = cassette.answer(method, requests, context)
            if answer is None:
                answer = self.defaults(method)
            request: Any = requests if method.client_streaming else requests[0]
            index = 0
            async for message, pause in _messages(answer, request, context, method):
                if plan.fail_after is not None and index >= plan.fail_after:
                    break
                if single and index:
                    raise FakeRpcError(
                        grpc.StatusCode.INTERNAL, f"xai_fake: {method.full_name} answered with more than one message"
                    )
                if pause or plan.chunk_delay:
                    await asyncio.sleep(pause + plan.chunk_delay)
                yield message
                index += 1
                entry.responses = index
            if single and not index and plan.fail_code is None:
                raise FakeRpcError(grpc.StatusCode.INTERNAL, f"xai_fake: {method.full_name} answered with no message")
            if plan.fail_code is not None:
                raise FakeRpcError(
                    plan.fail_code, plan.fail_details or f"injected {plan.fail_code.name} after {index} message(s)"
                )
        except FakeRpcError as error:
            entry.code, entry.details = error.code, error.details
            if error.trailing_metadata:
                context.set_trailing_metadata(error.trailing_metadata)
            await context.abort(error.code, error.details)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            entry.code = entry.code if entry.code != grpc.StatusCode.OK else grpc.StatusCode.CANCELLED
            raise
        except Exception as error:
            details = f"xai_fake: {method.full_name} failed: {type(error).__name__}: {error}"
            logger.exception("unexpected error in %s", method.full_name)
            entry.code, entry.details = grpc.StatusCode.INTERNAL, details
            await context.abort(grpc.StatusCode.INTERNAL, details)
        finally:
            entry.finished = True


async def _messages(
    answer: Any, request: Any, context: grpc.aio.ServicerContext[Any, Any], method: Method
) -> AsyncIterator[tuple[Message, float]]:
    """Turn any answer a layer may give into ``(message, pause before it)`` pairs."""
    if isinstance(answer, Error):
        raise answer.to_exception()
    if isinstance(answer, grpc.StatusCode):
        raise Error(answer).to_exception()
    if isinstance(answer, Exception):
        raise answer
    if callable(answer) and not isinstance(answer, Message):
        answer = answer(request, context)
        if inspect.isawaitable(answer):
            answer = await answer
        if isinstance(answer, (Error, grpc.StatusCode)):
            async for pair in _messages(answer, request, context, method):
                yield pair
            return
    if isinstance(answer, Message):
        yield answer, 0.0
    elif isinstance(answer, Stream):
        for index, chunk in enumerate(answer.chunks):
            yield chunk, answer.delay_before(index)
        if answer.error is not None:
            raise answer.error.to_exception()
    elif inspect.isasyncgen(answer) or hasattr(answer, "__aiter__"):
        async for item in answer:
            yield _unpack(item)
    elif isinstance(answer, Iterable):
        for item in answer:
            yield _unpack(item)
    elif answer is None:
        raise FakeRpcError(grpc.StatusCode.INTERNAL, f"xai_fake: the answer for {method.full_name} returned None")
    else:
        raise FakeRpcError(
            grpc.StatusCode.INTERNAL, f"xai_fake: cannot answer {method.full_name} with {type(answer).__name__}"
        )


def _unpack(item: Any) -> tuple[Message, float]:
    if isinstance(item, tuple):
        return item[0], float(item[1])
    return item, 0.0
