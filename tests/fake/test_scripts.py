"""Scripting layer: responses, sequences, callables, streams and errors, per method."""

from __future__ import annotations

import grpc
import pytest

from xai_fake import Error, FakeRpcError, FakeServer, Stream
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, tokenize_pb2, tokenize_pb2_grpc

REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)


def reply(text: str) -> chat_pb2.GetChatCompletionResponse:
    return chat_pb2.GetChatCompletionResponse(
        id=text, outputs=[chat_pb2.CompletionOutput(message=chat_pb2.CompletionMessage(content=text))]
    )


def chunk(text: str) -> chat_pb2.GetChatCompletionChunk:
    return chat_pb2.GetChatCompletionChunk(outputs=[chat_pb2.CompletionOutputChunk(delta=chat_pb2.Delta(content=text))])


def test_a_scripted_response_answers_every_call(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletion").respond(reply("scripted"))
    stub = chat_pb2_grpc.ChatStub(channel)
    assert [stub.GetCompletion(REQUEST, metadata=md).id for _ in range(3)] == ["scripted"] * 3


def test_fail_twice_then_answer(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletion").fail(grpc.StatusCode.UNAVAILABLE, "try later", times=2).respond_once(reply("ok"))
    stub = chat_pb2_grpc.ChatStub(channel)
    codes = []
    for _ in range(2):
        with pytest.raises(grpc.RpcError) as info:
            stub.GetCompletion(REQUEST, metadata=md)
        codes.append((info.value.code(), info.value.details()))
    assert codes == [(grpc.StatusCode.UNAVAILABLE, "try later")] * 2
    assert stub.GetCompletion(REQUEST, metadata=md).id == "ok"
    # The script is used up: the default behaviour answers again.
    assert stub.GetCompletion(REQUEST, metadata=md).model == "grok-4"
    assert fake.requests.count("Chat/GetCompletion") == 4


def test_a_sequence_answers_one_call_each(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletion").sequence([reply("a"), Error(grpc.StatusCode.RESOURCE_EXHAUSTED), reply("b")])
    stub = chat_pb2_grpc.ChatStub(channel)
    assert stub.GetCompletion(REQUEST, metadata=md).id == "a"
    with pytest.raises(grpc.RpcError) as info:
        stub.GetCompletion(REQUEST, metadata=md)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert stub.GetCompletion(REQUEST, metadata=md).id == "b"


def test_a_callable_sees_the_request_and_may_raise(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    def answer(request: chat_pb2.GetCompletionsRequest, context: object) -> chat_pb2.GetChatCompletionResponse:
        if request.user == "blocked":
            raise FakeRpcError(grpc.StatusCode.PERMISSION_DENIED, "user is blocked")
        return reply(f"echo {request.messages[0].content[0].text}")

    fake.script("Chat/GetCompletion").respond_with(answer)
    stub = chat_pb2_grpc.ChatStub(channel)
    assert stub.GetCompletion(REQUEST, metadata=md).id == "echo Hi"
    blocked = chat_pb2.GetCompletionsRequest()
    blocked.CopyFrom(REQUEST)
    blocked.user = "blocked"
    with pytest.raises(grpc.RpcError) as info:
        stub.GetCompletion(blocked, metadata=md)
    assert (info.value.code(), info.value.details()) == (grpc.StatusCode.PERMISSION_DENIED, "user is blocked")


async def test_scripted_stream_with_a_final_error(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletionChunk").respond(
        Stream([chunk("a"), chunk("b")], delay=0.001, error=Error(grpc.StatusCode.INTERNAL, "boom"))
    )
    received = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for item in chat_pb2_grpc.ChatStub(aio_channel).GetCompletionChunk(REQUEST, metadata=md):
            received.append(item.outputs[0].delta.content)
    assert received == ["a", "b"]
    assert (info.value.code(), info.value.details()) == (grpc.StatusCode.INTERNAL, "boom")
    assert fake.requests.of("Chat/GetCompletionChunk")[0].responses == 2


async def test_async_callable_and_list_of_chunks(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:  # type: ignore[no-untyped-def]
    async def answer(request: tokenize_pb2.TokenizeTextRequest, context: object) -> tokenize_pb2.TokenizeTextResponse:
        return tokenize_pb2.TokenizeTextResponse(model=request.model.upper())

    fake.script("Tokenize/TokenizeText").respond_with(answer)
    fake.script("Chat/GetCompletionChunk").respond([chunk("x"), chunk("y")])
    stub = tokenize_pb2_grpc.TokenizeStub(aio_channel)
    result = await stub.TokenizeText(tokenize_pb2.TokenizeTextRequest(text="t", model="grok-3"), metadata=md)
    assert result.model == "GROK-3"
    chunks = [c async for c in chat_pb2_grpc.ChatStub(aio_channel).GetCompletionChunk(REQUEST, metadata=md)]
    assert [c.outputs[0].delta.content for c in chunks] == ["x", "y"]


def test_a_callable_that_crashes_gives_internal_and_the_server_lives_on(  # type: ignore[no-untyped-def]
    fake: FakeServer, channel: grpc.Channel, md
) -> None:
    fake.script("Chat/GetCompletion").respond_with(lambda request, context: 1 / 0, times=1)
    stub = chat_pb2_grpc.ChatStub(channel)
    with pytest.raises(grpc.RpcError) as info:
        stub.GetCompletion(REQUEST, metadata=md)
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert "ZeroDivisionError" in info.value.details()
    assert stub.GetCompletion(REQUEST, metadata=md).outputs


def test_bad_scripts_are_rejected_at_once(fake: FakeServer) -> None:
    with pytest.raises(TypeError, match=r"answers with xai_api\.GetChatCompletionResponse, not TokenizeTextResponse"):
        fake.script("Chat/GetCompletion").respond(tokenize_pb2.TokenizeTextResponse())
    with pytest.raises(ValueError, match="answers with one message, not a list"):
        fake.script("Chat/GetCompletion").respond([reply("a")])
    with pytest.raises(ValueError, match="times must be >= 1"):
        fake.script("Chat/GetCompletion").respond(reply("a"), times=0)
    with pytest.raises(ValueError, match="unknown xAI method"):
        fake.script("Chat/Nope")


def test_reset_forgets_scripts_and_the_log(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.script("Chat/GetCompletion").respond(reply("scripted"))
    stub = chat_pb2_grpc.ChatStub(channel)
    assert stub.GetCompletion(REQUEST, metadata=md).id == "scripted"
    fake.reset()
    assert len(fake.requests) == 0
    assert stub.GetCompletion(REQUEST, metadata=md).id != "scripted"


def test_chat_reply_answers_sample_and_stream_alike(fake: FakeServer, channel: grpc.Channel, md) -> None:
    fake.chat.reply("Bonjour le monde", reasoning="French it is")
    stub = chat_pb2_grpc.ChatStub(channel)
    several = chat_pb2.GetCompletionsRequest()
    several.CopyFrom(REQUEST)
    several.n = 2
    whole = stub.GetCompletion(several, metadata=md)
    assert [o.message.content for o in whole.outputs] == ["Bonjour le monde"] * 2
    assert whole.outputs[0].message.reasoning_content == "French it is"
    assert whole.usage.completion_tokens == 2 * 3
    chunks = list(stub.GetCompletionChunk(REQUEST, metadata=md))
    assert "".join(c.outputs[0].delta.content for c in chunks) == "Bonjour le monde"


async def test_chat_stream_tool_call_structured_and_error(fake: FakeServer, aio_channel: grpc.aio.Channel, md) -> None:
    stub = chat_pb2_grpc.ChatStub(aio_channel)
    fake.chat.stream(["Hel", "lo"], delay=0.001, times=1)
    chunks = [c async for c in stub.GetCompletionChunk(REQUEST, metadata=md)]
    assert [c.outputs[0].delta.content for c in chunks[:-1]] == ["Hel", "lo"]
    fake.chat.tool_call("get_weather", {"city": "Paris"}, times=1)
    call = (await stub.GetCompletion(REQUEST, metadata=md)).outputs[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city": "Paris"}')
    fake.chat.structured({"answer": 42}, times=1)
    assert (await stub.GetCompletion(REQUEST, metadata=md)).outputs[0].message.content == '{"answer": 42}'
    fake.chat.error(grpc.StatusCode.RESOURCE_EXHAUSTED, "quota")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetCompletion(REQUEST, metadata=md)
    assert (info.value.code(), info.value.details()) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "quota")
    with pytest.raises(TypeError, match="list of chunks"):
        fake.chat.stream("Hello")


# -- the order rule: queued steps answer once each, the last one repeats ------------------------


def ids(stub: chat_pb2_grpc.ChatStub, md, calls: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [stub.GetCompletion(REQUEST, metadata=md).id for _ in range(calls)]


def test_steps_play_in_order_and_the_last_one_repeats(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(channel)
    fake.script("Chat/GetCompletion").respond(reply("a")).respond(reply("b"))
    assert ids(stub, md, 4) == ["a", "b", "b", "b"]
    fake.reset()
    fake.script("Chat/GetCompletion").sequence([reply("a"), reply("b")])
    assert ids(stub, md, 3) == ["a", "b", "b"]
    fake.reset()
    fake.script("Chat/GetCompletion").respond(reply("a"), times=2).respond(reply("b"))
    assert ids(stub, md, 4) == ["a", "a", "b", "b"]


def test_a_step_queued_later_takes_over_from_the_repeating_one(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(channel)
    script = fake.script("Chat/GetCompletion")
    script.respond(reply("a"))
    assert ids(stub, md, 2) == ["a", "a"]
    script.respond(reply("b"))
    assert ids(stub, md, 2) == ["b", "b"]


def test_exact_times_then_the_defaults(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(channel)
    fake.script("Chat/GetCompletion").respond(reply("a"), times=1)
    assert stub.GetCompletion(REQUEST, metadata=md).id == "a"
    assert stub.GetCompletion(REQUEST, metadata=md).id != "a", "times=1 is exact: the defaults answer next"
    fake.chat.error(grpc.StatusCode.UNAVAILABLE)  # errors default to one call
    fake.chat.reply("after the error")
    with pytest.raises(grpc.RpcError):
        stub.GetCompletion(REQUEST, metadata=md)
    assert stub.GetCompletion(REQUEST, metadata=md).outputs[0].message.content == "after the error"


def test_tool_call_then_reply_across_sample_and_stream(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    fake.chat.tool_call("get_weather", {"city": "Paris"})
    fake.chat.reply("Sunny.")
    stub = chat_pb2_grpc.ChatStub(channel)
    streamed = list(stub.GetCompletionChunk(REQUEST, metadata=md))  # the steps are shared by both methods
    assert any(o.delta.tool_calls for c in streamed for o in c.outputs)
    assert stub.GetCompletion(REQUEST, metadata=md).outputs[0].message.content == "Sunny."
    assert "".join(c.outputs[0].delta.content for c in stub.GetCompletionChunk(REQUEST, metadata=md)) == "Sunny."


def test_raw_chat_answers_without_a_role_get_the_assistant_role(fake: FakeServer, channel: grpc.Channel, md) -> None:  # type: ignore[no-untyped-def]
    stub = chat_pb2_grpc.ChatStub(channel)
    raw = reply("no role")
    fake.script("Chat/GetCompletion").respond(raw)
    assert stub.GetCompletion(REQUEST, metadata=md).outputs[0].message.role == chat_pb2.ROLE_ASSISTANT
    assert raw.outputs[0].message.role == chat_pb2.INVALID_ROLE, "the scripted message itself is not modified"
    fake.script("Chat/GetCompletionChunk").respond([chunk("a"), chunk("b")])
    assert {c.outputs[0].delta.role for c in stub.GetCompletionChunk(REQUEST, metadata=md)} == {chat_pb2.ROLE_ASSISTANT}
    fake.script("Chat/GetCompletion").respond_with(lambda request, context: reply("called"))
    assert stub.GetCompletion(REQUEST, metadata=md).outputs[0].message.role == chat_pb2.ROLE_ASSISTANT
    tool = chat_pb2.GetChatCompletionResponse(
        outputs=[chat_pb2.CompletionOutput(message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_TOOL, content="x"))]
    )
    fake.script("Chat/GetCompletion").respond(tool)
    assert stub.GetCompletion(REQUEST, metadata=md).outputs[0].message.role == chat_pb2.ROLE_TOOL, "a role given stays"
