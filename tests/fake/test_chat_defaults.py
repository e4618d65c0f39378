"""Default chat behaviour: seeded text, n, max_tokens, stop, tools, JSON, streams, stored and deferred chats."""

from __future__ import annotations

import json
from typing import Any

import grpc
import jsonschema
import pytest

from xai_fake import FakeServer
from xai_fake.defaults import tokens
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, deferred_pb2, sample_pb2


def request(text: str = "Tell me about Mars", **fields: Any) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model=fields.pop("model", "grok-4"),
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])],
        **fields,
    )


WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city", "unit", "days"],
}


def weather_tool() -> chat_pb2.Tool:
    return chat_pb2.Tool(function=chat_pb2.Function(name="get_weather", parameters=json.dumps(WEATHER)))


@pytest.fixture
def chat(fake: FakeServer, channel: grpc.Channel) -> chat_pb2_grpc.ChatStub:
    """A Chat stub on a freshly reset fake (no script of an earlier test left)."""
    return chat_pb2_grpc.ChatStub(channel)


def test_text_is_deterministic_per_request_and_usage_matches_the_tokenizer(chat, md) -> None:  # type: ignore[no-untyped-def]
    first = chat.GetCompletion(request(), metadata=md)
    again = chat.GetCompletion(request(), metadata=md)
    other = chat.GetCompletion(request("Something else"), metadata=md)
    text = first.outputs[0].message.content
    assert text
    assert text == again.outputs[0].message.content != other.outputs[0].message.content
    assert first.id != again.id
    assert first.usage.completion_tokens == tokens.count(text)
    assert first.usage.prompt_tokens == tokens.count("Tell me about Mars") + 3
    assert first.usage.reasoning_tokens == tokens.count(first.outputs[0].message.reasoning_content) > 0
    usage = first.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens + usage.reasoning_tokens
    assert first.usage.cost_in_usd_ticks > 0
    assert first.outputs[0].message.role == chat_pb2.ROLE_ASSISTANT
    assert first.outputs[0].finish_reason == sample_pb2.REASON_STOP


def test_n_max_tokens_and_stop(chat, md) -> None:  # type: ignore[no-untyped-def]
    several = chat.GetCompletion(request(n=3), metadata=md)
    assert [o.index for o in several.outputs] == [0, 1, 2]
    assert len({o.message.content for o in several.outputs}) == 3
    short = chat.GetCompletion(request(max_tokens=4), metadata=md)
    assert short.outputs[0].finish_reason == sample_pb2.REASON_MAX_LEN
    assert tokens.count(short.outputs[0].message.content) == 4
    # stop needs a model that is not a reasoning model (https://docs.x.ai/docs/guides/reasoning).
    text = chat.GetCompletion(request(model="grok-3"), metadata=md).outputs[0].message.content
    stop_word = text.split()[2]
    stopped = chat.GetCompletion(request(model="grok-3", stop=[stop_word]), metadata=md).outputs[0]
    assert stop_word not in stopped.message.content
    assert stopped.finish_reason == sample_pb2.REASON_STOP


def test_tool_call_arguments_validate_against_the_schema_then_text_after_the_result(chat, md) -> None:  # type: ignore[no-untyped-def]
    response = chat.GetCompletion(request("Weather in Paris?", tools=[weather_tool()]), metadata=md)
    output = response.outputs[0]
    assert output.finish_reason == sample_pb2.REASON_TOOL_CALLS
    call = output.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert call.id
    jsonschema.validate(json.loads(call.function.arguments), WEATHER)
    follow_up = request("Weather in Paris?", tools=[weather_tool()])
    follow_up.messages.add(role=chat_pb2.ROLE_ASSISTANT, tool_calls=[call])
    follow_up.messages.add(role=chat_pb2.ROLE_TOOL, tool_call_id=call.id, content=[chat_pb2.Content(text="20C")])
    answer = chat.GetCompletion(follow_up, metadata=md).outputs[0]
    assert answer.finish_reason == sample_pb2.REASON_STOP
    assert answer.message.content
    none = request("Weather?", tools=[weather_tool()], tool_choice=chat_pb2.ToolChoice(mode=chat_pb2.TOOL_MODE_NONE))
    assert not chat.GetCompletion(none, metadata=md).outputs[0].message.tool_calls


def test_json_schema_and_json_object_formats(chat, md) -> None:  # type: ignore[no-untyped-def]
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}, "minItems": 1},
            "score": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]},
        },
        "required": ["name", "tags", "score"],
        "$defs": {"Tag": {"type": "object", "properties": {"label": {"type": "string"}}, "required": ["label"]}},
    }
    fmt = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(schema))
    content = chat.GetCompletion(request(response_format=fmt), metadata=md).outputs[0].message.content
    jsonschema.validate(json.loads(content), schema)
    fmt = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_OBJECT)
    assert isinstance(
        json.loads(chat.GetCompletion(request(response_format=fmt), metadata=md).outputs[0].message.content), dict
    )


def test_reasoning_and_citations(chat, md) -> None:  # type: ignore[no-untyped-def]
    reasoning = chat.GetCompletion(request(model="grok-3-mini", reasoning_effort=chat_pb2.EFFORT_HIGH), metadata=md)
    assert reasoning.outputs[0].message.reasoning_content
    assert reasoning.usage.reasoning_tokens > 0
    search = chat_pb2.SearchParameters(mode=chat_pb2.ON_SEARCH_MODE, return_citations=True)
    cited = chat.GetCompletion(request(search_parameters=search), metadata=md)
    assert cited.citations
    assert all(c.startswith("https://") for c in cited.citations)


async def test_stream_reassembles_to_the_unary_answer(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(aio_channel)
    whole = await stub.GetCompletion(request(model="grok-3-mini"), metadata=md)
    chunks = [c async for c in stub.GetCompletionChunk(request(model="grok-3-mini"), metadata=md)]
    assert len(chunks) > 2
    assert "".join(c.outputs[0].delta.content for c in chunks) == whole.outputs[0].message.content
    assert "".join(c.outputs[0].delta.reasoning_content for c in chunks) == whole.outputs[0].message.reasoning_content
    assert chunks[-1].outputs[0].finish_reason == sample_pb2.REASON_STOP
    assert chunks[-1].usage == whole.usage
    assert not any(c.HasField("usage") for c in chunks[:-1])


def test_stored_completions_and_previous_response_id(chat, md) -> None:  # type: ignore[no-untyped-def]
    stored = chat.GetCompletion(request(store_messages=True), metadata=md)
    assert chat.GetStoredCompletion(chat_pb2.GetStoredCompletionRequest(response_id=stored.id), metadata=md) == stored
    follow = chat.GetCompletion(request("And then?", previous_response_id=stored.id), metadata=md)
    assert follow.outputs
    chat.DeleteStoredCompletion(chat_pb2.DeleteStoredCompletionRequest(response_id=stored.id), metadata=md)
    for call in (
        lambda: chat.GetStoredCompletion(chat_pb2.GetStoredCompletionRequest(response_id=stored.id), metadata=md),
        lambda: chat.GetCompletion(request(previous_response_id=stored.id), metadata=md),
    ):
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_deferred_completion_goes_pending_then_done(aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(aio_channel)
    started = await stub.StartDeferredCompletion(request(), metadata=md)
    poll = deferred_pb2.GetDeferredRequest(request_id=started.request_id)
    first = await stub.GetDeferredCompletion(poll, metadata=md)
    second = await stub.GetDeferredCompletion(poll, metadata=md)
    assert (first.status, second.status) == (deferred_pb2.PENDING, deferred_pb2.DONE)
    assert second.response.outputs[0].message.content
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetDeferredCompletion(deferred_pb2.GetDeferredRequest(request_id="nope"), metadata=md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_compact_context(chat, md) -> None:  # type: ignore[no-untyped-def]
    compact = chat_pb2.CompactContextRequest(model="grok-4", input=list(request().messages) * 3)
    result = chat.CompactContext(compact, metadata=md)
    assert result.encrypted_content
    assert result.dropped_message_count == 2


@pytest.mark.parametrize(
    ("bad", "code", "message"),
    [
        (
            chat_pb2.GetCompletionsRequest(messages=request().messages),
            grpc.StatusCode.INVALID_ARGUMENT,
            "model is required",
        ),
        (chat_pb2.GetCompletionsRequest(model="grok-4"), grpc.StatusCode.INVALID_ARGUMENT, "at least one message"),
        (request(model="grok-99"), grpc.StatusCode.NOT_FOUND, "language model 'grok-99' does not exist"),
        (request(n=0), grpc.StatusCode.INVALID_ARGUMENT, "n must be between 1 and 128"),
        (
            chat_pb2.GetCompletionsRequest(
                model="grok-4", messages=[chat_pb2.Message(content=[chat_pb2.Content(text="x")])]
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "messages[0] has no role",
        ),
        (request(reasoning_effort=42), grpc.StatusCode.INVALID_ARGUMENT, "reasoning_effort has no value 42"),
        (request(include=[77]), grpc.StatusCode.INVALID_ARGUMENT, "include has no value 77"),
        (
            request("word " * 140_000, model="grok-3"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "more than grok-3's limit of 131072",
        ),
        (
            request(response_format=chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema="{")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "schema is not valid JSON",
        ),
    ],
)
def test_malformed_requests_get_a_readable_status(chat, md, bad, code, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        chat.GetCompletion(bad, metadata=md)
    assert info.value.code() == code
    assert message in info.value.details()


def test_settings_echo_the_request(chat, md) -> None:  # type: ignore[no-untyped-def]
    fmt = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_OBJECT)
    asked = request(
        model="grok-4.3",  # takes a reasoning_effort (https://docs.x.ai/developers/model-capabilities/text/reasoning)
        max_tokens=30,
        temperature=0.5,
        top_p=0.9,
        reasoning_effort=chat_pb2.EFFORT_LOW,
        user="alice",
        parallel_tool_calls=False,
        tools=[weather_tool()],
        tool_choice=chat_pb2.ToolChoice(mode=chat_pb2.TOOL_MODE_NONE),
        response_format=fmt,
        include=[chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS],
        use_encrypted_content=True,
    )
    settings = chat.GetCompletion(asked, metadata=md).settings
    assert (settings.max_tokens, settings.top_p, settings.user) == (30, pytest.approx(0.9), "alice")
    assert settings.temperature == pytest.approx(0.5)
    assert settings.reasoning_effort == chat_pb2.EFFORT_LOW
    assert not settings.parallel_tool_calls
    assert settings.use_encrypted_content
    assert list(settings.tools) == [weather_tool()]
    assert settings.tool_choice.mode == chat_pb2.TOOL_MODE_NONE
    assert settings.response_format == fmt
    assert list(settings.include) == [chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS]
    plain = chat.GetCompletion(request(), metadata=md).settings
    assert plain.parallel_tool_calls
    assert not plain.HasField("max_tokens")
    assert not plain.HasField("response_format")


def test_an_unknown_role_is_named_with_the_known_ones(chat, md) -> None:  # type: ignore[no-untyped-def]
    bad = request()
    bad.messages.add(role=42, content=[chat_pb2.Content(text="?")])  # type: ignore[arg-type]
    with pytest.raises(grpc.RpcError) as info:
        chat.GetCompletion(bad, metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "messages[1].role has no value 42; use one of ROLE_USER" in info.value.details()
