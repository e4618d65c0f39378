"""Typed shortcuts for scripting chat answers: ``fake.chat.reply("Hello")``.

Each shortcut scripts both ``Chat/GetCompletion`` and ``Chat/GetCompletionChunk``,
so the code under test gets the same answer whether it samples or streams; ``times``
counts calls of either method. Responses are built like the default ones: ids, usage
consistent with the tokenizer, ``n`` outputs, finish reasons.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from xai_fake.defaults.chat import Answer, ChatDefaults, chunks_of
from xai_fake.scripts import Error, Scripts, new_budget
from xai_sdk.proto import chat_pb2, sample_pb2

_SAMPLE, _STREAM = "xai_api.Chat/GetCompletion", "xai_api.Chat/GetCompletionChunk"


class ChatScripts:
    """Script what the model says. Obtain it as ``fake.chat``."""

    def __init__(self, scripts: Scripts, defaults: ChatDefaults) -> None:
        self._scripts = scripts
        self._defaults = defaults

    def _answer(
        self, answer: Answer, times: int | None, pieces: Sequence[str] | None = None, delay: float = 0.0
    ) -> None:
        def sample(request: chat_pb2.GetCompletionsRequest, context: object) -> Message:
            return self._defaults.respond(request, answer)

        def stream(request: chat_pb2.GetCompletionsRequest, context: object) -> Any:
            chunks = chunks_of(self._defaults.respond(request, answer), list(pieces) if pieces is not None else None)
            return ((chunk, delay) for chunk in chunks)

        budget = new_budget(times)  # shared: ``times`` counts calls of either method
        self._scripts.get(_SAMPLE).add(sample, budget)
        self._scripts.get(_STREAM).add(stream, budget)

    def reply(self, text: str, *, reasoning: str = "", times: int | None = None) -> None:
        """The model answers ``text`` (after thinking ``reasoning``)."""
        self._answer(Answer(content=text, reasoning=reasoning), times)

    def tool_call(
        self, name: str, arguments: dict[str, Any] | str, *, call_id: str = "call_0", times: int | None = None
    ) -> None:
        """The model calls the client-side function ``name`` with ``arguments``."""
        encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
        call = chat_pb2.ToolCall(
            id=call_id,
            type=chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL,
            status=chat_pb2.TOOL_CALL_STATUS_COMPLETED,
            function=chat_pb2.FunctionCall(name=name, arguments=encoded),
        )
        self._answer(Answer(tool_calls=[call], finish_reason=sample_pb2.REASON_TOOL_CALLS), times)

    def structured(self, value: Any, *, times: int | None = None) -> None:
        """The model answers with ``value`` as JSON (a dict, a list, or a pydantic model instance)."""
        text = value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value)
        self._answer(Answer(content=text), times)

    def stream(self, chunks: Sequence[str], *, delay: float = 0.0, times: int | None = None) -> None:
        """The model streams exactly these content pieces, ``delay`` seconds apart."""
        if isinstance(chunks, str):
            raise TypeError("stream() takes a list of chunks, e.g. ['Hel', 'lo']; use reply() for one text")
        self._answer(Answer(content="".join(chunks)), times, pieces=chunks, delay=delay)

    def error(self, code: grpc.StatusCode, details: str = "", *, times: int | None = 1) -> None:
        """The next chat call(s) fail with ``code``."""
        budget = new_budget(times)
        for method in (_SAMPLE, _STREAM):
            self._scripts.get(method).add(Error(code, details), budget)
