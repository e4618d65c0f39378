"""I/O-free bases of the chat client and of a conversation; the facades add the calls."""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import grpc

from xai_sdk._channel import DEFAULT_TIMEOUT_SECONDS, CallSettings
from xai_sdk._chat import request as requests
from xai_sdk._chat.messages import text
from xai_sdk._chat.parse import schema_of
from xai_sdk._chat.response import CompactContextResponse, Response, output_index
from xai_sdk._flow import Call, Flow, Sleep
from xai_sdk.meta import ProtoDecorator
from xai_sdk.poll_timer import PollTimer
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, deferred_pb2

if TYPE_CHECKING:
    from xai_sdk.search import SearchParameters

ChatT = TypeVar("ChatT", bound="BaseChat")


class DeferredChatError(RuntimeError):
    """A deferred chat completion ended with status FAILED."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"Deferred request {request_id} failed: the server reported status FAILED")
        self.request_id = request_id


class BaseClient(Generic[ChatT]):
    """``client.chat``: creates conversations and manages stored completions."""

    _chat_class: type[ChatT]

    def __init__(self, channel: grpc.Channel | grpc.aio.Channel, calls: CallSettings | None = None) -> None:
        self._stub = chat_pb2_grpc.ChatStub(channel)
        self._calls = calls or CallSettings((), DEFAULT_TIMEOUT_SECONDS)

    def create(
        self,
        model: str,
        *,
        conversation_id: str | None = None,
        messages: Sequence[chat_pb2.Message] | None = None,
        user: str | None = None,
        safety_identifier: str | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        tools: Sequence[chat_pb2.Tool | Mapping[str, Any]] | None = None,
        tool_choice: str | chat_pb2.ToolChoice | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        response_format: str | chat_pb2.ResponseFormat | type[Any] | Mapping[str, Any] | None = None,
        frequency_penalty: float | None = None,
        presence_penalty: float | None = None,
        reasoning_effort: str | int | None = None,
        search_parameters: SearchParameters | chat_pb2.SearchParameters | None = None,
        store_messages: bool | None = None,
        previous_response_id: str | None = None,
        use_encrypted_content: bool | None = None,
        max_turns: int | None = None,
        include: Sequence[str | int] | None = None,
        agent_count: int | None = None,
        batch_request_id: str | None = None,
        service_tier: str | int | None = None,
        guidelines: Sequence[Any] | None = None,
    ) -> ChatT:
        """Start a conversation with ``model``; nothing is sent until ``sample()``, ``stream()``, ...

        ``tools``, ``tool_choice`` and ``response_format`` also take the OpenAI SDK's dict shapes
        (``{"type": "function", "function": {...}}``, ``{"type": "json_schema", "json_schema":
        {"name": ..., "schema": {...}}}``), translated to the same protos as the xAI forms.
        """
        request = requests.build_request(
            model, messages, user=user, safety_identifier=safety_identifier, max_tokens=max_tokens, seed=seed,
            stop=stop, temperature=temperature, top_p=top_p, logprobs=logprobs, top_logprobs=top_logprobs,
            tools=tools, tool_choice=tool_choice, parallel_tool_calls=parallel_tool_calls,
            response_format=response_format, frequency_penalty=frequency_penalty, presence_penalty=presence_penalty,
            reasoning_effort=reasoning_effort, search_parameters=search_parameters, store_messages=store_messages,
            previous_response_id=previous_response_id, use_encrypted_content=use_encrypted_content,
            max_turns=max_turns, include=include, agent_count=agent_count, service_tier=service_tier,
            guidelines=guidelines,
        )  # fmt: skip
        return self._chat_class(self._stub, self._calls, request, conversation_id, batch_request_id)


class BaseChat(ProtoDecorator[chat_pb2.GetCompletionsRequest]):
    """A conversation: the request being built up, sent by ``sample()``/``stream()``/... of a facade."""

    def __init__(
        self,
        stub: chat_pb2_grpc.ChatStub,
        calls: CallSettings,
        request: chat_pb2.GetCompletionsRequest,
        conversation_id: str | None = None,
        batch_request_id: str | None = None,
    ) -> None:
        super().__init__(request)
        self._stub = stub
        self._calls = calls
        self._conversation_id = conversation_id
        self._batch_request_id = batch_request_id

    @property
    def messages(self) -> Sequence[chat_pb2.Message]:
        """The conversation so far."""
        return self._proto.messages

    def append(self, message: chat_pb2.Message | Response | CompactContextResponse) -> BaseChat:
        """Add a message, a response (all of its outputs), or a compaction result; returns the chat."""
        if isinstance(message, chat_pb2.Message):
            self._proto.messages.append(message)
        elif isinstance(message, Response):
            self._proto.messages.extend(_replay(message))
        elif isinstance(message, CompactContextResponse):
            del self._proto.messages[:]
            self._proto.messages.append(
                chat_pb2.Message(role=chat_pb2.ROLE_USER, encrypted_content=message.encrypted_content)
            )
        else:
            raise ValueError(
                f"Unrecognized message type {type(message).__name__}: append a Message (user(...), ...), "
                "a Response or a CompactContextResponse"
            )
        return self

    # -- requests the facades send ------------------------------------------------------------------

    def _request(self, n: int | None = None) -> chat_pb2.GetCompletionsRequest:
        """The request to send (asking for ``n`` answers when given); a conversation without messages raises."""
        if not self._proto.messages:
            raise ValueError(
                "The conversation has no messages yet: append one (user(...), system(...), ...) before sampling"
            )
        if n is None:
            return self._proto
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        request = chat_pb2.GetCompletionsRequest()
        request.CopyFrom(self._proto)
        request.n = n
        return request

    def _parse_request(self, shape: type[Any]) -> chat_pb2.GetCompletionsRequest:
        """Ask for JSON matching ``shape``; like the official SDK, the conversation keeps that format."""
        self._proto.response_format.CopyFrom(
            chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=schema_of(shape))
        )
        return self._request()

    def _start_index(self) -> int | None:
        """The output a single answer is read at: every output (None) once a server-side tool is
        requested, else output 0 (which still switches to every output if the server adds some)."""
        return None if any(tool.WhichOneof("tool") != "function" for tool in self._proto.tools) else 0

    def _single(self, response: chat_pb2.GetChatCompletionResponse) -> Response:
        """Read the answer to a one-answer request."""
        return Response(response, output_index(self._start_index(), response.outputs))

    def _compact_request(self) -> chat_pb2.CompactContextRequest:
        return chat_pb2.CompactContextRequest(model=self._proto.model, input=self._proto.messages)

    def _defer_flow(
        self,
        n: int | None,
        timeout: datetime.timedelta | None,
        interval: datetime.timedelta | None,
        call_timeout: float | None,
    ) -> Flow[chat_pb2.GetChatCompletionResponse]:
        """Start a deferred completion and poll it until DONE; EXPIRED and FAILED raise."""
        kwargs = self._calls.kwargs(call_timeout)
        started = yield Call(self._stub.StartDeferredCompletion, self._request(n), kwargs)
        timer = PollTimer(timeout, interval, context=f"deferred chat request {started.request_id}")
        poll = deferred_pb2.GetDeferredRequest(request_id=started.request_id)
        while True:
            result = yield Call(self._stub.GetDeferredCompletion, poll, kwargs)
            if result.status == deferred_pb2.DONE:
                return result.response  # type: ignore[no-any-return]
            if result.status == deferred_pb2.EXPIRED:
                raise RuntimeError("Deferred request expired.")
            if result.status == deferred_pb2.FAILED:
                raise DeferredChatError(started.request_id)
            if result.status != deferred_pb2.PENDING:
                warnings.warn(f"Unknown deferred status {result.status}; polling on", RuntimeWarning, stacklevel=4)
            yield Sleep(timer.sleep_interval_or_raise())


def batch(response: chat_pb2.GetChatCompletionResponse, n: int) -> list[Response]:
    """Read an ``n``-output response, one Response per output."""
    return [Response(response, index) for index in range(n)]


def deprecated_batch(name: str, replacement: str) -> None:
    warnings.warn(f"{name}() is deprecated; use {replacement} instead", PendingDeprecationWarning, stacklevel=3)


def _replay(response: Response) -> list[chat_pb2.Message]:
    """Messages that replay a response in the conversation.

    Read at no index, every output becomes a message (a tool output names its call in
    ``tool_call_id``); read at an index, the answer becomes one message that carries the tool
    calls of the whole response.
    """
    if response._index is not None:
        return [
            chat_pb2.Message(
                role=response._output().message.role,
                content=[text(response.content)],
                reasoning_content=response.reasoning_content,
                encrypted_content=response.encrypted_content,
                tool_calls=response.tool_calls,
            )
        ]
    messages = []
    for output in response.proto.outputs:
        message = output.message
        replay = chat_pb2.Message(
            role=message.role,
            content=[text(message.content)],
            reasoning_content=message.reasoning_content,
            encrypted_content=message.encrypted_content,
            tool_calls=message.tool_calls,
        )
        if message.role == chat_pb2.ROLE_TOOL and message.tool_calls:
            replay.tool_call_id = message.tool_calls[0].id
        messages.append(replay)
    return messages
