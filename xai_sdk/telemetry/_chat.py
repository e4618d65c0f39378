"""Chat spans: names and OpenTelemetry GenAI attributes, computed from the request and the responses.

A chat call ``chat.<operation>`` on model ``m`` is the span ``"chat.<operation> m"`` of the tracer
named after the facade module (``xai_sdk.sync.chat`` or ``xai_sdk.aio.chat``). Its attributes are
the ones the official SDK sets, except that ``server.address``/``server.port`` are those of the
host the client really talks to, and ``gen_ai.output.type`` is reported even when sensitive
attributes are off (it says nothing about the user's data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xai_sdk._chat.response import Response
from xai_sdk.proto import chat_pb2
from xai_sdk.telemetry._spans import NO_SPAN, AttributeValue, Span, _RecordedSpan, server_attributes, tracer_for
from xai_sdk.telemetry.config import should_disable_sensitive_attributes

if TYPE_CHECKING:
    from xai_sdk._chat.base import BaseChat

__all__ = ["FIRST_CHUNK", "chat_span", "request_attributes", "response_attributes"]

#: Set on a stream's span when its first chunk arrives (UTC, ISO 8601), sensitive or not.
FIRST_CHUNK = "gen_ai.completion.start_time"

_ROLES = {
    chat_pb2.ROLE_USER: "user",
    chat_pb2.ROLE_ASSISTANT: "assistant",
    chat_pb2.ROLE_SYSTEM: "system",
    chat_pb2.ROLE_DEVELOPER: "developer",
    chat_pb2.ROLE_TOOL: "tool",
}
# What the API assumes for parameters left unset.
_DEFAULTS: dict[str, AttributeValue] = {
    "gen_ai.request.frequency_penalty": 0.0,
    "gen_ai.request.presence_penalty": 0.0,
    "gen_ai.request.temperature": 1.0,
    "gen_ai.request.parallel_tool_calls": True,
    "gen_ai.request.store_messages": False,
    "gen_ai.request.use_encrypted_content": False,
}
_FLOATS = (
    ("frequency_penalty", "gen_ai.request.frequency_penalty"),
    ("presence_penalty", "gen_ai.request.presence_penalty"),
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
)
_INTS = (
    ("n", "gen_ai.request.choice.count"),
    ("seed", "gen_ai.request.seed"),
    ("max_tokens", "gen_ai.request.max_tokens"),
    ("top_logprobs", "gen_ai.request.top_logprobs"),
)
_USAGE = (
    ("gen_ai.usage.input_tokens", "prompt_tokens"),
    ("gen_ai.usage.output_tokens", "completion_tokens"),
    ("gen_ai.usage.total_tokens", "total_tokens"),
    ("gen_ai.usage.reasoning_tokens", "reasoning_tokens"),
    ("gen_ai.usage.cached_prompt_text_tokens", "cached_prompt_text_tokens"),
    ("gen_ai.usage.prompt_text_tokens", "prompt_text_tokens"),
    ("gen_ai.usage.prompt_image_tokens", "prompt_image_tokens"),
)


def chat_span(chat: BaseChat, operation: str, *, current: bool = True) -> Span:
    """The span of ``chat.<operation>`` (``sample``, ``stream``, ...) on ``chat``; ``done()`` takes the Response(s)."""
    scope = type(chat).__module__
    tracer = tracer_for(scope)
    if tracer is None:
        return NO_SPAN
    request = chat.proto
    return _RecordedSpan(
        tracer,
        f"chat.{operation} {request.model}",
        lambda: request_attributes(request, chat._conversation_id, chat._calls.target),
        response_attributes,
        current,
    )


def _output_type(request: chat_pb2.GetCompletionsRequest) -> str:
    if request.HasField("response_format"):
        return chat_pb2.FormatType.Name(request.response_format.format_type).removeprefix("FORMAT_TYPE_").lower()
    return "text"


def _tool_calls_json(calls: Sequence[chat_pb2.ToolCall]) -> str:
    def arguments(raw: str) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    return json.dumps(
        [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": arguments(call.function.arguments)},
            }
            for call in calls
        ]
    )


def request_attributes(
    request: chat_pb2.GetCompletionsRequest, conversation_id: str | None, target: str | None
) -> dict[str, AttributeValue]:
    """Attributes known when the call starts; only the operation's identity when sensitive attributes are off."""
    attributes: dict[str, AttributeValue] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "xai",
        "gen_ai.output.type": _output_type(request),
        "gen_ai.request.model": request.model,
        **server_attributes(target),
    }
    if should_disable_sensitive_attributes():
        return attributes
    attributes.update(_DEFAULTS)
    attributes["gen_ai.request.logprobs"] = request.logprobs
    for field, key in _FLOATS:
        if request.HasField(field):
            attributes[key] = round(getattr(request, field), 6)
    for field, key in _INTS:
        if request.HasField(field):
            attributes[key] = getattr(request, field)
    if conversation_id:
        attributes["gen_ai.conversation.id"] = conversation_id
    if request.stop:
        attributes["gen_ai.request.stop_sequences"] = list(request.stop)
    if request.HasField("reasoning_effort"):
        effort = chat_pb2.ReasoningEffort.Name(request.reasoning_effort)
        attributes["gen_ai.request.reasoning_effort"] = effort.removeprefix("EFFORT_").lower()
    if request.user:
        attributes["user_id"] = request.user
    if request.HasField("parallel_tool_calls"):
        attributes["gen_ai.request.parallel_tool_calls"] = request.parallel_tool_calls
    if request.store_messages:
        attributes["gen_ai.request.store_messages"] = True
    if request.previous_response_id:
        attributes["gen_ai.request.previous_response_id"] = request.previous_response_id
    if request.use_encrypted_content:
        attributes["gen_ai.request.use_encrypted_content"] = True
    for index, message in enumerate(request.messages):
        role = _ROLES.get(message.role)
        if role is None:
            continue
        attributes[f"gen_ai.prompt.{index}.role"] = role
        attributes[f"gen_ai.prompt.{index}.content"] = "".join(part.text for part in message.content)
        if message.role == chat_pb2.ROLE_ASSISTANT and message.tool_calls:
            attributes[f"gen_ai.prompt.{index}.tool_calls"] = _tool_calls_json(message.tool_calls)
    return attributes


def response_attributes(result: Response | Sequence[Response]) -> dict[str, AttributeValue]:
    """Attributes of the answer(s): ids, usage, finish reasons, completions; none if sensitive attributes are off."""
    if should_disable_sensitive_attributes():
        return {}
    responses = [result] if isinstance(result, Response) else result
    first = responses[0]
    usage = first.usage
    attributes: dict[str, AttributeValue] = {
        "gen_ai.response.id": first.id,
        "gen_ai.response.model": first.proto.model,
    }
    for key, field in _USAGE:
        attributes[key] = getattr(usage, field)
    if usage.HasField("cost_in_usd_ticks"):
        attributes["gen_ai.usage.cost_in_usd_ticks"] = usage.cost_in_usd_ticks
    attributes["gen_ai.response.system_fingerprint"] = first.system_fingerprint
    attributes["gen_ai.response.finish_reasons"] = [response.finish_reason for response in responses]
    for index, response in enumerate(responses):
        attributes[f"gen_ai.completion.{index}.role"] = response.role.removeprefix("ROLE_").lower()
        attributes[f"gen_ai.completion.{index}.content"] = response.content
        if response.reasoning_content:
            attributes[f"gen_ai.completion.{index}.reasoning_content"] = response.reasoning_content
        tool_calls = response.tool_calls
        if tool_calls:
            attributes[f"gen_ai.completion.{index}.tool_calls"] = _tool_calls_json(tool_calls)
    return attributes
