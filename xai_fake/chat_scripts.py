"""Typed shortcuts for scripting chat answers: ``fake.chat.reply("Hello")``.

Each shortcut queues one :class:`~xai_fake.defaults.chat_answers.Reply` on both
``Chat/GetCompletion`` and ``Chat/GetCompletionChunk`` with one shared budget, so the code
under test gets the same answer whether it samples or streams; ``times`` counts calls of
either method. The scripts layer has the chat answer builder complete the reply for each
call, so responses are built like the default ones: ids, usage consistent with the
tokenizer, ``n`` outputs, finish reasons.

Shortcuts play in order (the rule of :mod:`xai_fake.layers.scripts`): queued steps answer
once each and the last one repeats, so a function-calling test reads as it runs::

    fake.chat.tool_call("get_weather", {"city": "Paris"})  # the first call
    fake.chat.reply("It is sunny in Paris.")                # every call after it

``times=N`` makes a step answer exactly N calls. ``error`` and ``near_miss`` answer one call
by default (``times=1``): the call after them gets the next step, or the fake's default
answer when none is queued, which is what a retry or a repair loop should see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import grpc

from xai_fake.defaults.chat_answers import SAMPLE, STREAM, Reply, function_call
from xai_fake.layers.scripts import Error, Scripts, new_budget
from xai_fake.schema.near_miss import NearMiss

__all__ = ["ChatScripts"]


class ChatScripts:
    """Script what the model says. Obtain it as ``fake.chat``."""

    def __init__(self, scripts: Scripts) -> None:
        self._scripts = scripts

    def respond(self, reply: Reply, *, times: int | None = None) -> None:
        """The model answers ``reply`` (sampled or streamed).

        For the next ``times`` calls; without ``times``, for one call when another step is
        queued after it, and for every call while it is the last step.
        """
        if not isinstance(reply, Reply):
            raise TypeError(f"respond() takes a Reply, got {type(reply).__name__}; use reply() for a text")
        budget = new_budget(times)  # shared: ``times`` counts calls of either method
        self._scripts.get(SAMPLE).add(reply, budget)
        self._scripts.get(STREAM).add(reply, budget)

    def reply(self, text: str, *, reasoning: str = "", times: int | None = None) -> None:
        """The model answers ``text`` (after thinking ``reasoning``)."""
        self.respond(Reply(content=text, reasoning=reasoning), times=times)

    def tool_call(
        self, name: str, arguments: dict[str, Any] | str, *, call_id: str = "call_0", times: int | None = None
    ) -> None:
        """The model calls the client-side function ``name`` with ``arguments`` (a dict, or JSON text)."""
        self.respond(Reply(tool_calls=[function_call(name, arguments, call_id=call_id)]), times=times)

    def structured(self, value: Any, *, times: int | None = None) -> None:
        """The model answers with ``value`` as JSON (a dict, a list, or a pydantic model instance)."""
        text = value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value)
        self.respond(Reply(content=text), times=times)

    def stream(self, chunks: Sequence[str], *, delay: float = 0.0, times: int | None = None) -> None:
        """The model streams exactly these content pieces, pausing ``delay`` seconds before each chunk."""
        if isinstance(chunks, str):
            raise TypeError("stream() takes a list of chunks, e.g. ['Hel', 'lo']; use reply() for one text")
        self.respond(Reply(chunks=list(chunks), chunk_delay=delay), times=times)

    def near_miss(self, kind: NearMiss | str, *, times: int | None = 1) -> None:
        """The next answer(s) almost follow the request's schema, broken the way ``kind`` says.

        The answer the fake would give (to a ``response_format`` JSON schema, or as a required
        tool call's arguments) is spoiled one way, and proven invalid before it is sent:
        ``truncated`` (cut-off JSON, ``finish_reason`` ``REASON_MAX_LEN``), ``missing_required``,
        ``wrong_type``, ``extra_property`` (where ``additionalProperties`` is false),
        ``markdown_fence`` or ``empty``. A :class:`~xai_fake.schema.near_miss.NearMiss` or its value.
        When the kind cannot break this request's answer (a schema that requires nothing, say),
        the call fails with FAILED_PRECONDITION saying why.
        """
        miss = NearMiss.of(kind)
        budget = new_budget(times)
        self._scripts.get(SAMPLE).add(miss, budget)
        self._scripts.get(STREAM).add(miss, budget)

    def error(self, code: grpc.StatusCode, details: str = "", *, times: int | None = 1) -> None:
        """The next chat call(s) fail with ``code``."""
        budget = new_budget(times)
        for method in (SAMPLE, STREAM):
            self._scripts.get(method).add(Error(code, details), budget)
