"""Defaults for ``xai_api.Chat``: the service's handlers over :class:`~xai_fake.defaults.chat_answers.ChatAnswers`.

Every answer (seeded text, tool calls, JSON, server-side tools, streams, stored and deferred
chats) is built by the chat answer builder; the handlers only pick what each RPC returns.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

from xai_fake.defaults.chat_answers import (
    MAX_N,
    ChatAnswers,
    ChatState,
    Reply,
    chunks_of,
    cost_ticks,
    prompt_tokens,
)
from xai_fake.defaults.models import language_model
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument
from xai_sdk.proto import chat_pb2, deferred_pb2, usage_pb2

__all__ = ["MAX_N", "Answer", "ChatDefaults", "ChatState", "Reply", "chunks_of", "cost_ticks", "prompt_tokens"]

#: The former name of :class:`~xai_fake.defaults.chat_answers.Reply`, kept for existing callers.
Answer = Reply


class ChatDefaults:
    """Answers chats the way the real API shapes them, deterministically per request and seed.

    ``answers`` is the chat answer builder to use (one is made over ``state`` if not given).
    """

    SERVICE: ClassVar[str] = "xai_api.Chat"

    def __init__(self, state: State, answers: ChatAnswers | None = None) -> None:
        self.state = state
        self.answers = answers if answers is not None else ChatAnswers(state)

    def respond(
        self, request: chat_pb2.GetCompletionsRequest, answer: Reply | None = None
    ) -> chat_pb2.GetChatCompletionResponse:
        """The complete response to a chat request; ``answer`` replaces the generated outputs."""
        return self.answers.respond(request, answer)

    # -- RPCs -----------------------------------------------------------------------------

    def GetCompletion(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> chat_pb2.GetChatCompletionResponse:
        return self.answers.respond(request)

    def GetCompletionChunk(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> Iterator[chat_pb2.GetChatCompletionChunk] | AsyncIterator[chat_pb2.GetChatCompletionChunk]:
        return self.answers.stream(request)

    def StartDeferredCompletion(
        self, request: chat_pb2.GetCompletionsRequest, context: object
    ) -> deferred_pb2.StartDeferredResponse:
        return self.answers.start_deferred(request)

    def GetDeferredCompletion(
        self, request: deferred_pb2.GetDeferredRequest, context: object
    ) -> chat_pb2.GetDeferredCompletionResponse:
        return self.answers.poll_deferred(request.request_id)

    def GetStoredCompletion(
        self, request: chat_pb2.GetStoredCompletionRequest, context: object
    ) -> chat_pb2.GetChatCompletionResponse:
        return self.answers.stored(request.response_id)

    def DeleteStoredCompletion(
        self, request: chat_pb2.DeleteStoredCompletionRequest, context: object
    ) -> chat_pb2.DeleteStoredCompletionResponse:
        self.answers.delete_stored(request.response_id)
        return chat_pb2.DeleteStoredCompletionResponse(response_id=request.response_id)

    def CompactContext(
        self, request: chat_pb2.CompactContextRequest, context: object
    ) -> chat_pb2.CompactContextResponse:
        if not request.model:
            raise invalid_argument("model is required, e.g. model='grok-4'")
        language_model(request.model)
        if not request.input:
            raise invalid_argument("input must hold the messages to compact")
        summary = " ".join(p.text for m in request.input for p in m.content if p.text)[:2000]
        prompt = prompt_tokens(request.input)
        return chat_pb2.CompactContextResponse(
            id=self.state.new_id("compact"),
            encrypted_content=base64.b64encode(summary.encode()).decode(),
            dropped_message_count=max(len(request.input) - 1, 0),
            usage=usage_pb2.SamplingUsage(prompt_tokens=prompt, prompt_text_tokens=prompt, total_tokens=prompt),
        )
