"""Layer 4, scripts: per-test answers, per method.

A script is a queue of steps. Each step answers one call (or several, or every call) with
any answer value of :mod:`xai_fake.replies`: a response message, a list of chunks, a
:class:`Stream`, an :class:`Error` or status code, a callable ``(request, context)``
returning any of these (sync or async; for client-streaming methods ``request`` is the list
of request messages), and for chat methods text or a :class:`~xai_fake.defaults.chat_answers.Reply`.

Steps play in order. A step given ``times=N`` answers exactly the next N calls, then the
next step answers. A step given no ``times`` answers one call when another step is queued
after it, and every call while it is the last one: queued steps answer once each and the last
one repeats. So ``fake.chat.tool_call(...)`` then ``fake.chat.reply(...)`` answers the first
call with the tool call and every later one with the reply, and a step queued later (after
the last one answered at least once) takes over from the next call on. Errors (``fail``,
``chat.error``) and near misses default to ``times=1``: they answer one call, then the queue
moves on. When the queue is used up, calls fall through to the cassette and defaults layers.

Steps are checked and turned into responders once, when they are added; a call only runs
its responder. For chat methods, response messages whose outputs leave ``role`` unset get
``ROLE_ASSISTANT``, as every answer of the real API has it (the SDK reads only assistant outputs).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar, Union

import grpc
from google.protobuf.message import Message

from xai_fake.chain import Call, Next, Responses
from xai_fake.methods import Method, resolve_method
from xai_fake.replies import Complete, Error, Stream, error_of, resolve, to_responses

__all__ = ["Answer", "Budget", "Completer", "Error", "Script", "ScriptLayer", "Scripts", "Stream", "new_budget"]

Answer = Union[Message, Sequence[Message], Stream, Error, grpc.StatusCode, Callable[..., Any], str, Any]  # noqa: UP007

#: What a call runs: the answer of one step, normalised when the step was added.
Responder = Callable[[Call], Awaitable[Responses]]


class Completer(Protocol):
    """Finishes answer values only a builder can (chat text, a Reply); given by the server."""

    def accepts(self, method: str, value: Any) -> bool:
        """True if ``complete`` can answer ``method`` with ``value``."""
        ...

    def complete(self, method: str, request: Any, value: Any) -> Any:
        """The full answer (a message or messages) for ``value``, or None."""
        ...


@dataclass
class Budget:
    """How many calls a step may still answer; one budget can be shared by steps of several methods.

    ``remaining=None`` is an open step: it answers one call when other steps wait behind it,
    and every call while it is the last one.
    """

    remaining: int | None  # None: open (once if followed, else forever)
    used: int = 0  # calls answered so far

    def spent(self) -> bool:
        """True when the step may answer no more calls."""
        return self.remaining is not None and self.remaining <= 0

    def done_if_followed(self) -> bool:
        """True for an open step that has answered: a step queued after it takes over."""
        return self.remaining is None and self.used > 0

    def use(self) -> None:
        """Count one answered call."""
        self.used += 1
        if self.remaining is not None:
            self.remaining -= 1


@dataclass
class _Step:
    responder: Responder
    budget: Budget


def new_budget(times: int | None) -> Budget:
    """A budget of ``times`` calls (None: an open step, see :class:`Budget`), validated."""
    if times is not None and times < 1:
        raise ValueError(f"times must be >= 1 (or None for every call), got {times}")
    return Budget(times)


class Script:
    """The scripted answers of one method. Obtain it with ``fake.script(method)``; calls chain."""

    def __init__(self, method: Method, completer: Completer | None = None) -> None:
        self.method = method
        self._completer = completer
        self._lock = threading.Lock()
        self._steps: list[_Step] = []

    def add(self, answer: Answer, budget: Budget) -> Script:
        """Queue ``answer`` for as many calls as ``budget`` allows (shared budgets span methods)."""
        responder = _responder(self.method, answer, self._completer)
        with self._lock:
            self._steps.append(_Step(responder, budget))
        return self

    def respond(self, answer: Answer, *, times: int | None = None) -> Script:
        """Answer the next ``times`` calls with ``answer``; without ``times``, one call, or every call while last."""
        return self.add(answer, new_budget(times))

    def respond_once(self, answer: Answer) -> Script:
        """Answer the next call with ``answer``."""
        return self.add(answer, new_budget(1))

    def respond_with(self, function: Callable[..., Any], *, times: int | None = None) -> Script:
        """Answer by calling ``function(request, context)``; it may return any answer value."""
        if not callable(function):
            raise TypeError(f"respond_with() needs a callable, got {type(function).__name__}")
        return self.add(function, new_budget(times))

    def sequence(self, answers: Sequence[Answer]) -> Script:
        """Answer the next calls with these answers, one each, in order; the last one repeats while last."""
        for answer in answers:
            self.add(answer, new_budget(None))
        return self

    def fail(self, code: grpc.StatusCode, details: str = "", *, times: int | None = 1) -> Script:
        """Fail the next ``times`` calls with ``code``."""
        return self.add(Error(code, details), new_budget(times))

    def clear(self) -> None:
        """Drop every step."""
        with self._lock:
            self._steps.clear()

    @property
    def pending(self) -> int:
        """Steps not yet consumed (a forever step counts as one)."""
        with self._lock:
            return len(self._steps)

    def take(self) -> Responder | None:
        """Consume the responder for one call, or None to fall through (the rule: see the module docstring)."""
        with self._lock:
            steps = self._steps
            while steps and (steps[0].budget.spent() or (len(steps) > 1 and steps[0].budget.done_if_followed())):
                steps.pop(0)
            if not steps:
                return None
            step = steps[0]
            step.budget.use()
            return step.responder


class Scripts:
    """All scripts of a server, created on demand."""

    def __init__(self, completer: Completer | None = None) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, Script] = {}
        self.completer = completer

    def get(self, method: str | Method) -> Script:
        """The script of ``method`` (any spelling :func:`~xai_fake.methods.resolve_method` accepts)."""
        resolved = method if isinstance(method, Method) else resolve_method(method)
        with self._lock:
            script = self._scripts.get(resolved.full_name)
            if script is None:
                script = self._scripts[resolved.full_name] = Script(resolved, self.completer)
            return script

    def take(self, method: str) -> Responder | None:
        """The responder for one call of ``method`` (full name), or None."""
        script = self._scripts.get(method)
        return script.take() if script is not None else None

    def clear(self) -> None:
        """Forget every script."""
        with self._lock:
            self._scripts.clear()


class ScriptLayer:
    """Layer 4: answers a call from its method's script, or passes it on."""

    name: ClassVar[str] = "scripts"

    def __init__(self, scripts: Scripts) -> None:
        self.scripts = scripts

    async def handle(self, call: Call, rest: Next) -> Responses:
        """The scripted answer, if a step is queued for this method."""
        responder = self.scripts.take(call.method.full_name)
        if responder is None:
            return await rest(call)
        return await responder(call)


# -- turning answers into responders, once ---------------------------------------------------


def _responder(method: Method, answer: Answer, completer: Completer | None) -> Responder:
    complete: Complete | None = completer.complete if completer is not None else None
    if isinstance(answer, Message):
        _check_type(method, [answer])
        answer = with_assistant_role(answer)
        if not method.server_streaming:
            message = answer

            async def respond_message(call: Call) -> Responses:
                return message

            return respond_message
    elif isinstance(answer, (list, tuple)):
        if not method.server_streaming:
            raise ValueError(
                f"{method.full_name} answers with one message, not a list; use sequence() for several calls"
            )
        _check_type(method, answer)
        answer = [with_assistant_role(message) for message in answer]
    elif isinstance(answer, Stream):
        _check_type(method, answer.chunks)
        answer = dataclasses.replace(answer, chunks=[with_assistant_role(chunk) for chunk in answer.chunks])
    elif error_of(answer) is not None:
        error = answer

        async def respond_error(call: Call) -> Responses:
            raise error_of(error)  # type: ignore[misc]

        return respond_error
    elif callable(answer):
        function = answer

        async def respond_call(call: Call) -> Responses:
            value = await resolve(function(call.request, call.context))
            return _assistant_roles(await to_responses(call.method, value, call.request, complete))

        return respond_call
    elif completer is None or not completer.accepts(method.full_name, answer):
        raise TypeError(
            f"cannot answer {method.full_name} with {type(answer).__name__}; answer with a "
            f"{method.response_type.DESCRIPTOR.full_name}, a list of them (streams), a Stream, an Error, "
            "a status code or a callable (see xai_fake.replies)"
        )
    value = answer

    async def respond_value(call: Call) -> Responses:
        return await to_responses(call.method, value, call.request, complete)

    return respond_value


def _check_type(method: Method, messages: Sequence[Any]) -> None:
    for message in messages:
        if not isinstance(message, method.response_type):
            raise TypeError(
                f"{method.full_name} answers with {method.response_type.DESCRIPTOR.full_name}, "
                f"not {type(message).__name__}"
            )


# -- chat answers name their role ----------------------------------------------------------------

_ASSISTANT = 2  # chat_pb2.ROLE_ASSISTANT, without importing the generated module here
_T = TypeVar("_T")


def with_assistant_role(message: _T) -> _T:
    """``message``, or a copy whose chat outputs without a role have ``ROLE_ASSISTANT``.

    Covers ``GetChatCompletionResponse`` (``outputs[].message.role``), ``GetChatCompletionChunk``
    (``outputs[].delta.role``) and ``GetDeferredCompletionResponse`` (its ``response``); other
    messages, and outputs that name a role, are left as they are. The argument is not modified.
    """
    if not isinstance(message, Message):
        return message
    name = message.DESCRIPTOR.full_name
    if name == "xai_api.GetDeferredCompletionResponse":
        if not message.HasField("response") or not _missing_roles(message.response, "message"):  # type: ignore[attr-defined]
            return message
        copy = type(message)()
        copy.CopyFrom(message)
        _fill_roles(copy.response, "message")  # type: ignore[attr-defined]
        return copy
    part = {"xai_api.GetChatCompletionResponse": "message", "xai_api.GetChatCompletionChunk": "delta"}.get(name)
    if part is None or not _missing_roles(message, part):
        return message
    copy = type(message)()
    copy.CopyFrom(message)
    _fill_roles(copy, part)
    return copy


def _missing_roles(message: Any, part: str) -> bool:
    return any(getattr(output, part).role == 0 for output in message.outputs)


def _fill_roles(message: Any, part: str) -> None:
    for output in message.outputs:
        if getattr(output, part).role == 0:
            getattr(output, part).role = _ASSISTANT


def _assistant_roles(responses: Responses) -> Responses:
    """The answer of a ``respond_with`` callable, with :func:`with_assistant_role` on every message."""
    if isinstance(responses, Message):
        return with_assistant_role(responses)
    if hasattr(responses, "__aiter__"):
        return _roles_of_stream(responses)
    return responses


async def _roles_of_stream(messages: AsyncIterator[Message]) -> AsyncIterator[Message]:
    async for message in messages:
        yield with_assistant_role(message)
