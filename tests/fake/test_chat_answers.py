"""The chat answer builder: validation, Reply, usage overrides, complete() per chat method, determinism."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import jsonschema
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from xai_fake import FakeRpcError, FakeServer
from xai_fake.defaults import tokens
from xai_fake.defaults.chat import ChatDefaults
from xai_fake.defaults.chat_answers import (
    DEFERRED,
    SAMPLE,
    STREAM,
    ChatAnswers,
    ChatState,
    Reply,
    chunks_of,
    function_call,
)
from xai_fake.defaults.models import language_model
from xai_fake.defaults.state import State
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, deferred_pb2, sample_pb2

PROMPT = "Tell me about Mars"


def request(text: str = PROMPT, **fields: Any) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model=fields.pop("model", "grok-4"),
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])],
        **fields,
    )


@pytest.fixture
def builder() -> ChatAnswers:
    return ChatAnswers(State(7))


def without_ids(response: chat_pb2.GetChatCompletionResponse) -> chat_pb2.GetChatCompletionResponse:
    copy = chat_pb2.GetChatCompletionResponse()
    copy.CopyFrom(response)
    copy.ClearField("id")
    copy.ClearField("created")
    return copy


# -- Reply ------------------------------------------------------------------------------------


def test_a_reply_becomes_n_outputs_with_usage_from_the_tokenizer(builder: ChatAnswers) -> None:
    response = builder.respond(request(n=3), Reply("Bonjour le monde", reasoning="French it is"))
    assert [o.index for o in response.outputs] == [0, 1, 2]
    assert {o.message.content for o in response.outputs} == {"Bonjour le monde"}
    assert {o.message.reasoning_content for o in response.outputs} == {"French it is"}
    assert {o.finish_reason for o in response.outputs} == {sample_pb2.REASON_STOP}
    assert all(o.message.role == chat_pb2.ROLE_ASSISTANT for o in response.outputs)
    usage, model = response.usage, language_model("grok-4")
    assert usage.prompt_tokens == usage.prompt_text_tokens == tokens.count(PROMPT) + 3
    assert usage.completion_tokens == 3 * tokens.count("Bonjour le monde")
    assert usage.reasoning_tokens == 3 * tokens.count("French it is")
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens + usage.reasoning_tokens
    assert usage.cost_in_usd_ticks == (
        usage.prompt_tokens * model.prompt_text_token_price
        + (usage.completion_tokens + usage.reasoning_tokens) * model.completion_text_token_price
    )
    assert response.model == "grok-4"
    assert response.system_fingerprint == model.system_fingerprint
    assert response.id
    assert response.created.seconds > 0
    assert response.settings.parallel_tool_calls


def test_usage_overrides_replace_the_computed_totals(builder: ChatAnswers) -> None:
    reply = Reply("hi", prompt_tokens=100, completion_tokens=7, reasoning_tokens=11, cached_prompt_tokens=40)
    usage = builder.respond(request(n=2), reply).usage
    model = language_model("grok-4")
    assert (usage.prompt_tokens, usage.prompt_text_tokens, usage.completion_tokens) == (100, 100, 7)
    assert (usage.reasoning_tokens, usage.cached_prompt_text_tokens, usage.total_tokens) == (11, 40, 118)
    assert usage.cost_in_usd_ticks == (
        60 * model.prompt_text_token_price
        + 40 * model.cached_prompt_token_price
        + 18 * model.completion_text_token_price
    )
    only_completion = builder.respond(request(), Reply("hi", completion_tokens=0)).usage
    assert only_completion.completion_tokens == 0
    assert only_completion.prompt_tokens == tokens.count(PROMPT) + 3


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"prompt_tokens": -1}, ValueError, "prompt_tokens must be a non-negative int"),
        ({"completion_tokens": True}, ValueError, "completion_tokens must be a non-negative int"),
        ({"reasoning_tokens": 1.5}, ValueError, "reasoning_tokens must be a non-negative int"),
        ({"prompt_tokens": 3, "cached_prompt_tokens": 4}, ValueError, "exceeds prompt_tokens"),
        ({"chunks": "Hello"}, TypeError, "list of pieces"),
        ({"content": "Hello", "chunks": ["Hel", "p"]}, ValueError, "chunks join to 'Help'"),
        ({"chunk_delay": -0.1}, ValueError, "chunk_delay must be >= 0"),
        ({"tool_calls": ["get_weather"]}, TypeError, "tool_calls\\[0\\] is a str"),
        ({"content": 3}, TypeError, "must be strings"),
    ],
)
def test_a_malformed_reply_is_refused_when_made(fields: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Reply(**fields)


def test_cached_tokens_beyond_the_computed_prompt_are_refused(builder: ChatAnswers) -> None:
    with pytest.raises(ValueError, match="exceeds the prompt's"):
        builder.respond(request(), Reply("hi", cached_prompt_tokens=10_000))


def test_tool_calls_as_tuples_or_protos(builder: ChatAnswers) -> None:
    proto = function_call("lookup", '{"q": "x"}', call_id="call_mine")
    reply = Reply(tool_calls=[("get_weather", {"city": "Paris"}), proto, ("noop", None, "call_x")])
    assert all(isinstance(call, chat_pb2.ToolCall) for call in reply.tool_calls)
    output = builder.respond(request(), reply).outputs[0]
    assert output.finish_reason == sample_pb2.REASON_TOOL_CALLS
    calls = [(c.id, c.function.name, json.loads(c.function.arguments)) for c in output.message.tool_calls]
    assert calls == [
        ("call_0", "get_weather", {"city": "Paris"}),
        ("call_mine", "lookup", {"q": "x"}),
        ("call_x", "noop", {}),
    ]
    assert {c.type for c in output.message.tool_calls} == {chat_pb2.TOOL_CALL_TYPE_CLIENT_SIDE_TOOL}
    arguments = sum(tokens.count(c.function.arguments) + 1 for c in output.message.tool_calls)
    assert builder.respond(request(), reply).usage.completion_tokens == arguments
    explicit = Reply("done", tool_calls=[("f", {})], finish_reason=sample_pb2.REASON_STOP)
    assert builder.respond(request(), explicit).outputs[0].finish_reason == sample_pb2.REASON_STOP


def test_a_reply_is_a_value(builder: ChatAnswers) -> None:
    assert Reply("hi") == Reply(content="hi", tool_calls=[])
    assert Reply(chunks=["Hel", "lo"]).content == "Hello"
    with pytest.raises(AttributeError):
        Reply("hi").content = "other"  # type: ignore[misc]


def test_a_reply_skips_server_side_tools_but_keeps_citations(builder: ChatAnswers) -> None:
    searching = request(
        tools=[chat_pb2.Tool(web_search=chat_pb2.WebSearch())],
        search_parameters=chat_pb2.SearchParameters(mode=chat_pb2.ON_SEARCH_MODE, return_citations=True),
    )
    replied = builder.respond(searching, Reply("hi"))
    assert [o.message.content for o in replied.outputs] == ["hi"]
    assert not replied.usage.server_side_tools_used
    assert len(replied.citations) == 3
    default = builder.respond(searching)
    assert len(default.outputs) > 1
    assert default.usage.server_side_tools_used


# -- complete() ---------------------------------------------------------------------------------


def test_complete_sample_with_text_or_a_reply(builder: ChatAnswers) -> None:
    from_text = builder.complete(SAMPLE, request(), "hi")
    from_reply = builder.complete(SAMPLE, request(), Reply("hi"))
    assert isinstance(from_text, chat_pb2.GetChatCompletionResponse)
    assert isinstance(from_reply, chat_pb2.GetChatCompletionResponse)
    assert without_ids(from_text) == without_ids(from_reply) == without_ids(builder.respond(request(), Reply("hi")))
    assert from_text.outputs[0].message.content == "hi"


def test_complete_stream_follows_the_reply_chunks(builder: ChatAnswers) -> None:
    stream = builder.complete(STREAM, request(), Reply(chunks=["Hel", "lo", " world"], reasoning="think"))
    assert isinstance(stream, Iterator)
    chunks = list(stream)
    assert [c.outputs[0].delta.content for c in chunks if c.outputs[0].delta.content] == ["Hel", "lo", " world"]
    assert "".join(c.outputs[0].delta.reasoning_content for c in chunks) == "think"
    assert chunks[-1].outputs[0].finish_reason == sample_pb2.REASON_STOP
    assert chunks[-1].usage.completion_tokens == tokens.count("Hello world")
    assert not any(c.HasField("usage") for c in chunks[:-1])
    assert len({c.id for c in chunks}) == 1
    split = list(builder.complete(STREAM, request(), "one two three four five six seven"))  # type: ignore[arg-type]
    assert "".join(c.outputs[0].delta.content for c in split) == "one two three four five six seven"
    assert len(split) == 4  # 7 tokens, 3 per chunk, and the final chunk


async def test_a_chunk_delay_makes_an_async_stream_that_pauses(builder: ChatAnswers) -> None:
    stream = builder.complete(STREAM, request(), Reply(chunks=["a", "b"], chunk_delay=0.05))
    assert isinstance(stream, AsyncIterator)
    started = time.monotonic()
    chunks = [chunk async for chunk in stream]
    assert time.monotonic() - started >= 0.14  # a pause before each of the 3 chunks
    assert [c.outputs[0].delta.content for c in chunks] == ["a", "b", ""]


def test_complete_deferred_stores_the_answer(builder: ChatAnswers) -> None:
    started = builder.complete(DEFERRED, request(), Reply("later"))
    assert isinstance(started, deferred_pb2.StartDeferredResponse)
    assert builder.state.of(ChatState).deferred[started.request_id].response.outputs[0].message.content == "later"
    first, second = builder.poll_deferred(started.request_id), builder.poll_deferred(started.request_id)
    assert (first.status, second.status) == (deferred_pb2.PENDING, deferred_pb2.DONE)
    assert second.response.outputs[0].message.content == "later"


@pytest.mark.parametrize(
    ("method", "value"),
    [
        ("xai_api.Chat/GetDeferredCompletion", "hi"),
        ("xai_api.Sample/SampleText", "hi"),
        (SAMPLE, 42),
        (SAMPLE, {"content": "hi"}),
        (SAMPLE, None),
    ],
)
def test_complete_answers_none_for_other_methods_and_values(builder: ChatAnswers, method: str, value: object) -> None:
    assert builder.complete(method, request(), value) is None
    assert not builder.accepts(method, value)


def test_accepts_what_complete_answers(builder: ChatAnswers) -> None:
    for method in (SAMPLE, STREAM, DEFERRED):
        assert builder.accepts(method, "hi")
        assert builder.accepts(method, Reply("hi"))


def test_complete_validates_the_request_like_a_default_answer(builder: ChatAnswers) -> None:
    roleless = chat_pb2.GetCompletionsRequest(model="grok-4", messages=[chat_pb2.Message(content=[])])
    for call in (
        lambda: builder.complete(SAMPLE, roleless, "hi"),
        lambda: builder.complete(STREAM, roleless, Reply(chunks=["a"])),
        lambda: builder.respond(roleless),
    ):
        with pytest.raises(FakeRpcError) as info:
            call()
        assert (info.value.code, info.value.details) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "messages[0] has no role; use ROLE_USER, ROLE_SYSTEM, ...",
        )
    with pytest.raises(FakeRpcError, match="n must be between 1 and 128"):
        builder.complete(SAMPLE, request(n=200), "hi")


def test_a_stored_reply_can_be_read_and_continued(builder: ChatAnswers) -> None:
    stored = builder.respond(request(store_messages=True), Reply("kept"))
    assert builder.stored(stored.id) == stored
    follow = builder.respond(request("And?", previous_response_id=stored.id))
    assert follow.outputs
    builder.delete_stored(stored.id)
    with pytest.raises(FakeRpcError, match="no stored completion"):
        builder.stored(stored.id)
    with pytest.raises(FakeRpcError, match="is not a stored response"):
        builder.respond(request(previous_response_id=stored.id))


# -- validation and defaults --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "code", "message"),
    [
        (request(model=""), grpc.StatusCode.INVALID_ARGUMENT, "model is required"),
        (request(model="grok-99"), grpc.StatusCode.NOT_FOUND, "language model 'grok-99' does not exist"),
        (request(max_tokens=0), grpc.StatusCode.INVALID_ARGUMENT, "max_tokens must be positive, got 0"),
        (
            request(reasoning_effort=42),
            grpc.StatusCode.INVALID_ARGUMENT,
            "reasoning_effort has no value 42; use one of",
        ),
        (request(agent_count=9), grpc.StatusCode.INVALID_ARGUMENT, "agent_count has no value 9; use one of"),
        (request(service_tier=77), grpc.StatusCode.INVALID_ARGUMENT, "service_tier has no value 77; use one of"),
        (request(include=[0]), grpc.StatusCode.INVALID_ARGUMENT, "include has no value 0"),
        (
            chat_pb2.GetCompletionsRequest(model="grok-4", messages=[chat_pb2.Message(role=99)]),  # type: ignore[arg-type]
            grpc.StatusCode.INVALID_ARGUMENT,
            "messages[0].role has no value 99; use one of ROLE_USER",
        ),
        (
            request(tool_choice=chat_pb2.ToolChoice(function_name="missing")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "tool_choice names 'missing', which is not in tools",
        ),
        (
            request(response_format=chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "response_format json_schema needs a schema",
        ),
        (
            request(response_format=chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema="[]")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "must be a JSON object (a JSON schema), got list",
        ),
    ],
)
def test_invalid_requests(
    builder: ChatAnswers, bad: chat_pb2.GetCompletionsRequest, code: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(FakeRpcError) as info:
        builder.respond(bad)
    assert info.value.code == code
    assert message in info.value.details
    if "schema" in message or "tool_choice" in message:  # found while generating: a reply needs none
        assert builder.respond(bad, Reply("hi")).outputs
    else:
        with pytest.raises(FakeRpcError, match=re.escape(message)):
            builder.validate(bad)


def test_validate_returns_the_model(builder: ChatAnswers) -> None:
    assert builder.validate(request(model="grok-4-latest")).name == "grok-4"


def test_default_answers_are_deterministic_per_request_and_seed() -> None:
    one, same, other = ChatAnswers(State(7)), ChatAnswers(State(7)), ChatAnswers(State(8))
    for fields in ({}, {"n": 2}, {"max_tokens": 5}, {"model": "grok-3"}):
        assert without_ids(one.respond(request(**fields))) == without_ids(same.respond(request(**fields)))
    assert one.respond(request()).outputs[0].message.content != other.respond(request()).outputs[0].message.content
    assert one.respond(request()).id != one.respond(request()).id


def test_a_repeated_request_gets_the_same_answer_in_a_new_response(builder: ChatAnswers) -> None:
    first = builder.respond(request(n=2))
    first.outputs[0].message.content = "changed by the caller"
    again = builder.respond(request(n=2))
    assert again.id != first.id
    assert without_ids(again) == without_ids(ChatAnswers(State(7)).respond(request(n=2)))
    assert builder.respond(request(), Reply("a")).outputs[0].message.content == "a"
    assert builder.respond(request(), Reply("b")).outputs[0].message.content == "b"
    assert builder.respond(request(), Reply("b", prompt_tokens=5)).usage.prompt_tokens == 5
    assert builder.respond(request(), Reply("b")).usage.prompt_tokens == tokens.count(PROMPT) + 3
    stored = builder.respond(request(store_messages=True), Reply("kept"))
    follow = request("And?", previous_response_id=stored.id)
    assert builder.respond(follow).outputs
    builder.delete_stored(stored.id)
    with pytest.raises(FakeRpcError, match="is not a stored response"):
        builder.respond(follow)  # validated again: it depends on the stored completions


def test_answers_with_server_side_tools_are_made_each_time(
    builder: ChatAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xai_fake.defaults import server_tools

    calls: list[str] = []
    apply = server_tools.apply

    def counted(*args: Any) -> None:
        calls.append("apply")
        apply(*args)

    monkeypatch.setattr(server_tools, "apply", counted)
    searching = request(tools=[chat_pb2.Tool(collections_search=chat_pb2.CollectionsSearch(collection_ids=["c"]))])
    first, second = builder.respond(searching), builder.respond(searching)
    assert calls == ["apply", "apply"]  # they read the fake's collections, which may change between calls
    assert without_ids(first) == without_ids(second)


def test_the_service_and_the_builder_answer_alike() -> None:
    state = State(3)
    service = ChatDefaults(state)
    assert without_ids(service.GetCompletion(request(n=2), None)) == without_ids(
        ChatAnswers(State(3)).respond(request(n=2))
    )
    streamed = list(service.GetCompletionChunk(request(), None))  # type: ignore[arg-type]
    whole = service.GetCompletion(request(), None)
    assert "".join(c.outputs[0].delta.content for c in streamed) == whole.outputs[0].message.content
    assert streamed[-1].usage == whole.usage


def test_chunks_of_keeps_its_old_form() -> None:
    partial = chat_pb2.GetChatCompletionResponse(
        id="partial",
        model="grok-4",
        outputs=[
            chat_pb2.CompletionOutput(
                index=0, message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content="abc")
            )
        ],
    )
    chunks = list(chunks_of(partial, ["a", "b", "c"]))
    assert [c.outputs[0].delta.content for c in chunks] == ["a", "b", "c", ""]
    assert all(c.outputs[0].delta.role == chat_pb2.ROLE_ASSISTANT for c in chunks)
    assert all(c.id == "partial" and c.model == "grok-4" for c in chunks)


SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 120}},
    "required": ["name", "age"],
}


@seed(20261201)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    text=st.text(min_size=1, max_size=80),
    n=st.integers(1, 4),
    max_tokens=st.one_of(st.none(), st.integers(1, 80)),
    model=st.sampled_from(["grok-4", "grok-3-mini", "grok-4-1-fast-non-reasoning", "grok-code-fast-1"]),
    fmt=st.sampled_from(["text", "json_object", "json_schema"]),
)
def test_usage_always_matches_the_outputs(text: str, n: int, max_tokens: int | None, model: str, fmt: str) -> None:
    fields: dict[str, Any] = {"n": n, "model": model}
    if max_tokens is not None:
        fields["max_tokens"] = max_tokens
    if fmt == "json_object":
        fields["response_format"] = chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_OBJECT)
    elif fmt == "json_schema":
        fields["response_format"] = chat_pb2.ResponseFormat(
            format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema=json.dumps(SCHEMA)
        )
    response = ChatAnswers(State(5)).respond(request(text, **fields))
    outputs = response.outputs
    assert len(outputs) == n
    assert response.usage.completion_tokens == sum(tokens.count(o.message.content) for o in outputs)
    assert response.usage.reasoning_tokens == sum(tokens.count(o.message.reasoning_content) for o in outputs)
    assert response.usage.prompt_tokens == tokens.count(text) + 3
    for output in outputs:
        if fmt == "json_schema":
            jsonschema.validate(json.loads(output.message.content), SCHEMA)
        elif fmt == "json_object":
            assert isinstance(json.loads(output.message.content), dict)
        elif max_tokens is not None:
            assert tokens.count(output.message.content) <= max_tokens
            if output.finish_reason == sample_pb2.REASON_MAX_LEN:
                assert tokens.count(output.message.content) == max_tokens


# -- through the server: the scripts layer completes Reply values with the builder ---------------


@pytest.fixture
def chat(channel: grpc.Channel) -> chat_pb2_grpc.ChatStub:
    return chat_pb2_grpc.ChatStub(channel)


def test_fake_chat_respond_queues_one_reply_for_sample_and_stream(fake: FakeServer, chat, md) -> None:  # type: ignore[no-untyped-def]
    fake.chat.respond(Reply("Paris", prompt_tokens=12, completion_tokens=2), times=2)
    sampled = chat.GetCompletion(request(), metadata=md)
    streamed = list(chat.GetCompletionChunk(request(), metadata=md))
    assert sampled.outputs[0].message.content == "Paris"
    assert (sampled.usage.prompt_tokens, sampled.usage.completion_tokens) == (12, 2)
    assert "".join(c.outputs[0].delta.content for c in streamed) == "Paris"
    assert streamed[-1].usage.prompt_tokens == 12
    assert chat.GetCompletion(request(), metadata=md).outputs[0].message.content != "Paris"  # the budget is spent
    with pytest.raises(TypeError, match="takes a Reply"):
        fake.chat.respond("Paris")  # type: ignore[arg-type]


def test_scripts_answer_with_text_or_a_reply(fake: FakeServer, chat, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletion").respond_with(lambda req, ctx: f"echo {req.messages[0].content[0].text}", times=1)
    assert chat.GetCompletion(request("hi"), metadata=md).outputs[0].message.content == "echo hi"
    fake.script("Chat/GetCompletionChunk").respond(Reply(chunks=["x", "y"]), times=1)
    assert [c.outputs[0].delta.content for c in chat.GetCompletionChunk(request(), metadata=md)] == ["x", "y", ""]
    fake.script("Chat/GetCompletion").respond_with(lambda req, ctx: "hi", times=1)
    with pytest.raises(grpc.RpcError) as info:
        chat.GetCompletion(request(n=0), metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # validated like a default answer


async def test_a_scripted_stream_pauses_between_chunks(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.chat.stream(["a", "b", "c"], delay=0.04, times=1)
    stub = chat_pb2_grpc.ChatStub(aio_channel)
    started = asyncio.get_running_loop().time()
    chunks = [c async for c in stub.GetCompletionChunk(request(), metadata=md)]
    assert asyncio.get_running_loop().time() - started >= 0.15
    assert [c.outputs[0].delta.content for c in chunks[:-1]] == ["a", "b", "c"]
