"""Chat through real gRPC against xai_fake, sync and async (one scenario function, two drivers)."""

from __future__ import annotations

import datetime
import json

import grpc
import pytest
from pydantic import BaseModel

import xai_sdk
from xai_fake import FakeServer
from xai_sdk.chat import DeferredChatError, Response, system, tool, tool_result, user
from xai_sdk.proto import chat_pb2, deferred_pb2

FAST = {"interval": datetime.timedelta(milliseconds=5)}


class Weather(BaseModel):
    city: str
    degrees: int


WEATHER_TOOL = tool(
    "get_weather",
    "Current weather in a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def test_create_sends_every_parameter(xai_client: xai_sdk.Client, xai_fake_server: FakeServer) -> None:
    # No model takes all of these at once (stop and the penalties need a model that does not reason,
    # reasoning_effort one that does: https://docs.x.ai/docs/guides/reasoning), so the fake, which
    # rejects such requests like the real API, answers with a scripted proto it does not validate.
    answer = chat_pb2.CompletionOutput(message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content="{}"))
    xai_fake_server.script("Chat/GetCompletion").respond(chat_pb2.GetChatCompletionResponse(outputs=[answer]))
    chat = xai_client.chat.create(
        "grok-4",
        messages=[system("brief"), user("hi")],
        user="u1", max_tokens=50, seed=3, stop=["\n\n"], temperature=0.2, top_p=0.9,
        logprobs=True, top_logprobs=2, tools=[WEATHER_TOOL], tool_choice="none", parallel_tool_calls=False,
        response_format="json_object", frequency_penalty=0.1, presence_penalty=0.2, reasoning_effort="low",
        store_messages=True, use_encrypted_content=True, max_turns=2, include=["inline_citations"],
        service_tier="priority", safety_identifier="s1",
    )  # fmt: skip
    chat.sample()
    sent = xai_fake_server.requests.last("Chat/GetCompletion")
    assert isinstance(sent, chat_pb2.GetCompletionsRequest)
    assert sent == chat.proto
    assert (sent.model, sent.user, sent.max_tokens, sent.seed, list(sent.stop)) == ("grok-4", "u1", 50, 3, ["\n\n"])
    assert sent.tool_choice.mode == chat_pb2.TOOL_MODE_NONE
    assert sent.response_format.format_type == chat_pb2.FORMAT_TYPE_JSON_OBJECT
    assert sent.reasoning_effort == chat_pb2.EFFORT_LOW
    assert list(sent.include) == [chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tool_choice": "sometimes"}, "Invalid tool mode: 'sometimes'"),
        ({"reasoning_effort": "max"}, "Invalid reasoning effort"),
        ({"response_format": "yaml"}, "Invalid response format"),
        ({"include": ["everything"]}, "Invalid include option"),
        ({"agent_count": 3}, "Invalid agent count"),
        ({"service_tier": "gold"}, "Invalid service tier"),
    ],
)
def test_invalid_literals_raise_value_error(xai_client: xai_sdk.Client, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        xai_client.chat.create("grok-4", **kwargs)


def test_sample_stream_and_multi_turn(xai_client: xai_sdk.Client, xai_fake_server: FakeServer) -> None:
    xai_fake_server.chat.reply("Paris is the capital of France.", reasoning="Easy.")
    chat = xai_client.chat.create("grok-3-mini", messages=[user("Capital of France?")])
    response = chat.sample()
    assert (response.content, response.reasoning_content) == ("Paris is the capital of France.", "Easy.")
    assert response.finish_reason == "REASON_STOP"
    assert response.role == "ROLE_ASSISTANT"
    assert response.usage.completion_tokens > 0 and response.cost_usd is not None
    chat.append(response)
    chat.append(user("And of Italy?"))
    assert [m.role for m in chat.messages] == [chat_pb2.ROLE_USER, chat_pb2.ROLE_ASSISTANT, chat_pb2.ROLE_USER]
    pieces = []
    for so_far, chunk in chat.stream():
        pieces.append(chunk.content)
        assert so_far.content == "".join(pieces)
    assert so_far.content == "Paris is the capital of France."
    assert so_far.finish_reason == "REASON_STOP"
    assert so_far.usage == response.usage or so_far.usage.completion_tokens == response.usage.completion_tokens
    assert len(xai_fake_server.requests.last("Chat/GetCompletionChunk").messages) == 3


async def test_async_sample_stream_parse_and_tools(
    xai_async_client: xai_sdk.AsyncClient, xai_fake_server: FakeServer
) -> None:
    chat = xai_async_client.chat.create("grok-4", messages=[user("Weather in Paris?")], tools=[WEATHER_TOOL])
    first = await chat.sample()
    assert first.finish_reason == "REASON_TOOL_CALLS"
    call = first.tool_calls[0]
    assert call.function.name == "get_weather" and "city" in json.loads(call.function.arguments)
    chat.append(first)
    chat.append(tool_result("21 degrees", call.id))
    final = await chat.sample()
    assert final.content and not final.tool_calls
    streamed = [chunk async for _, chunk in chat.stream()]
    assert "".join(c.content for c in streamed) == final.content
    parsed_chat = xai_async_client.chat.create("grok-4", messages=[user("Weather as JSON")])
    response, weather = await parsed_chat.parse(Weather)
    assert isinstance(weather, Weather)
    assert json.loads(response.content) == weather.model_dump()
    sent = xai_fake_server.requests.last("Chat/GetCompletion")
    assert sent.response_format.format_type == chat_pb2.FORMAT_TYPE_JSON_SCHEMA
    assert json.loads(sent.response_format.schema)["title"] == "Weather"


def test_defer_polls_until_done(xai_client: xai_sdk.Client, xai_fake_server: FakeServer) -> None:
    response = xai_client.chat.create("grok-4", messages=[user("hi")]).defer(**FAST)  # type: ignore[arg-type]
    assert isinstance(response, Response) and response.content
    assert xai_fake_server.requests.count("Chat/GetDeferredCompletion") == 2


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (deferred_pb2.FAILED, DeferredChatError, "failed: the server reported status FAILED"),
        (deferred_pb2.EXPIRED, RuntimeError, "Deferred request expired"),
        (deferred_pb2.PENDING, TimeoutError, "Polling timed out"),
    ],
)
async def test_defer_failures(
    xai_async_client: xai_sdk.AsyncClient, xai_fake_server: FakeServer, status: int, error: type, message: str
) -> None:
    xai_fake_server.script("Chat/GetDeferredCompletion").respond(chat_pb2.GetDeferredCompletionResponse(status=status))  # type: ignore[arg-type]
    chat = xai_async_client.chat.create("grok-4", messages=[user("hi")])
    with pytest.raises(error, match=message):
        await chat.defer(timeout=datetime.timedelta(milliseconds=50), **FAST)  # type: ignore[arg-type]


def test_batch_variants_warn_and_return_n(xai_client: xai_sdk.Client) -> None:
    chat = xai_client.chat.create("grok-4", messages=[user("hi")])
    with pytest.warns(PendingDeprecationWarning):
        responses = chat.sample_batch(3)
    assert len({r.content for r in responses}) == 3
    with pytest.warns(PendingDeprecationWarning):
        *_, (streamed, _chunks) = chat.stream_batch(3)
    assert [r.content for r in streamed] == [r.content for r in responses]
    with pytest.warns(PendingDeprecationWarning):
        deferred = chat.defer_batch(2, **FAST)  # type: ignore[arg-type]
    assert len(deferred) == 2


def test_stored_completions_and_compaction(xai_client: xai_sdk.Client) -> None:
    chat = xai_client.chat.create("grok-4", messages=[user("remember me")], store_messages=True)
    response = chat.sample()
    stored = xai_client.chat.get_stored_completion(response.id)
    assert [r.content for r in stored] == [response.content]
    assert xai_client.chat.delete_stored_completion(response.id) == response.id
    with pytest.raises(grpc.RpcError) as info:
        xai_client.chat.get_stored_completion(response.id)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    chat.append(response).append(user("more")).append(user("and more"))
    compacted = chat.compact()
    assert compacted.dropped_message_count == 3 and compacted.encrypted_content
    assert len(chat.messages) == 1 and chat.messages[0].encrypted_content == compacted.encrypted_content
    direct = xai_client.chat.compact_context("grok-4", [user("a"), user("b")])
    assert direct.dropped_message_count == 1


def test_append_rejects_other_types(xai_client: xai_sdk.Client) -> None:
    with pytest.raises(ValueError, match="Unrecognized message type str"):
        xai_client.chat.create("grok-4").append("hello")  # type: ignore[arg-type]


def test_a_single_stop_string_is_one_sequence_not_characters(
    xai_client: xai_sdk.Client, xai_fake_server: FakeServer
) -> None:
    # The official SDK turns stop="END" into ["E", "N", "D"]; we keep the sequence. (grok-3 takes
    # stop; reasoning models do not: https://docs.x.ai/docs/guides/reasoning.)
    xai_client.chat.create("grok-3", messages=[user("count")], stop="END").sample()
    assert list(xai_fake_server.requests.last("Chat/GetCompletion").stop) == ["END"]
