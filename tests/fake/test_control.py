"""The control API, through real gRPC (sync and async), as a test in another language would use it."""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format

from tests.fake.conftest import API_METADATA
from tests.fake.test_retry_faults import retry_delay_of, trailers
from xai_fake import Error, FakeServer
from xai_fake.cassette.format import load
from xai_fake.control import CONTROL_TOKEN_HEADER
from xai_fake.control._proto import control_pb2 as pb
from xai_fake.control._proto import control_pb2_grpc
from xai_fake.session import SESSION_HEADER
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, models_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
CHAT_REQUEST = chat_pb2.GetCompletionsRequest(
    model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
)


def _token(fake: FakeServer, session: str | None = None) -> tuple[tuple[str, str], ...]:
    pairs = ((CONTROL_TOKEN_HEADER, fake.control_token),)
    return (*pairs, (SESSION_HEADER, session)) if session else pairs


@pytest.fixture
def control(channel: grpc.Channel) -> control_pb2_grpc.ControlStub:
    return control_pb2_grpc.ControlStub(channel)


def _fails(call: Any, *args: Any, **kwargs: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as failed:
        call(*args, timeout=10, **kwargs)
    return failed.value


def test_the_token_is_required_and_compared(fake: FakeServer, control: control_pb2_grpc.ControlStub) -> None:
    missing = _fails(control.Reset, pb.ResetRequest())
    assert missing.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    assert CONTROL_TOKEN_HEADER in missing.details()  # type: ignore[attr-defined]
    wrong = _fails(control.Reset, pb.ResetRequest(), metadata=((CONTROL_TOKEN_HEADER, "guess"),))
    assert wrong.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    assert "guess" not in wrong.details()  # type: ignore[attr-defined]
    assert len(fake.control_token) >= 24
    assert FakeServer().control_token != fake.control_token  # random per server
    assert FakeServer(control_token="fixed").control_token == "fixed"


def test_script_respond_stream_and_fail_from_json(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel
) -> None:
    reply = json.dumps({"outputs": [{"message": {"content": "scripted by JSON", "role": "ROLE_ASSISTANT"}}]})
    chunk = json.dumps({"outputs": [{"delta": {"content": "piece"}}]})
    steps = [
        pb.Step(response_json=reply, times=1),
        pb.Step(fail=pb.Failure(code="RESOURCE_EXHAUSTED", details="slow down", pushback_ms=250)),
    ]
    answer = control.Script(pb.ScriptRequest(method="Chat/GetCompletion", steps=steps), metadata=_token(fake))
    assert answer.pending == 2
    stream_steps = [pb.Step(stream=pb.StreamAnswer(chunks_json=[chunk, chunk], then_fail=pb.Failure(code="INTERNAL")))]
    control.Script(
        pb.ScriptRequest(method="xai_api.Chat/GetCompletionChunk", steps=stream_steps), metadata=_token(fake)
    )

    chat = chat_pb2_grpc.ChatStub(channel)
    assert chat.GetCompletion(CHAT_REQUEST, metadata=API_METADATA, timeout=10).outputs[0].message.content == (
        "scripted by JSON"
    )
    failed = _fails(chat.GetCompletion, CHAT_REQUEST, metadata=API_METADATA)
    assert failed.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]
    trailers: dict[str, Any] = dict(failed.trailing_metadata())  # type: ignore[attr-defined]
    assert trailers["grpc-retry-pushback-ms"] == "250"
    received: list[str] = []
    with pytest.raises(grpc.RpcError) as ended:
        for piece in chat.GetCompletionChunk(CHAT_REQUEST, metadata=API_METADATA, timeout=10):
            received.append(piece.outputs[0].delta.content)
    assert received == ["piece", "piece"]
    assert ended.value.code() == grpc.StatusCode.INTERNAL  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        (pb.ScriptRequest(method="Chat/Nope", steps=[pb.Step(response_json="{}")]), "Chat/Nope"),
        (pb.ScriptRequest(method="Chat/GetCompletion"), "steps"),
        (pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step()]), "steps[0]"),
        (pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(response_json="{")]), "steps[0].response_json"),
        (
            pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(response_json='{"outputs": 3}')]),
            "steps[0].response_json",
        ),
        (pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(stream=pb.StreamAnswer())]), "steps[0].stream"),
        (pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(fail=pb.Failure())]), "steps[0].fail.code"),
        (
            pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(fail=pb.Failure(code="BROKEN"))]),
            "UNAVAILABLE",
        ),
        (pb.ScriptRequest(method="Chat/GetCompletion", steps=[pb.Step(fail=pb.Failure(code="OK"))]), "OK"),
    ],
)
def test_bad_scripts_are_invalid_argument_naming_the_field(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, request_: pb.ScriptRequest, named: str
) -> None:
    failed = _fails(control.Script, request_, metadata=_token(fake))
    assert failed.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert named in failed.details()  # type: ignore[attr-defined]
    assert fake.script("Chat/GetCompletion").pending == 0


def test_chat_shortcuts(fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel) -> None:
    md = _token(fake)
    control.ScriptChat(
        pb.ScriptChatRequest(tool_call=pb.ToolCall(name="get_weather", arguments_json='{"c": 1}')), metadata=md
    )
    control.ScriptChat(pb.ScriptChatRequest(reply="Sunny", reasoning="checked", times=1), metadata=md)
    control.ScriptChat(pb.ScriptChatRequest(structured_json='{"temp": 21}', times=1), metadata=md)
    control.ScriptChat(pb.ScriptChatRequest(error=pb.Failure(code="UNAVAILABLE")), metadata=md)
    control.ScriptChat(pb.ScriptChatRequest(stream=pb.ChatStream(chunks=["a", "b"])), metadata=md)
    chat = chat_pb2_grpc.ChatStub(channel)
    first = chat.GetCompletion(CHAT_REQUEST, metadata=API_METADATA, timeout=10).outputs[0].message
    assert first.tool_calls[0].function.name == "get_weather"
    assert json.loads(first.tool_calls[0].function.arguments) == {"c": 1}
    second = chat.GetCompletion(CHAT_REQUEST, metadata=API_METADATA, timeout=10).outputs[0].message
    assert (second.content, second.reasoning_content) == ("Sunny", "checked")
    assert json.loads(
        chat.GetCompletion(CHAT_REQUEST, metadata=API_METADATA, timeout=10).outputs[0].message.content
    ) == {"temp": 21}
    assert _fails(chat.GetCompletion, CHAT_REQUEST, metadata=API_METADATA).code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
    pieces = [
        c.outputs[0].delta.content for c in chat.GetCompletionChunk(CHAT_REQUEST, metadata=API_METADATA) if c.outputs
    ]
    assert "".join(pieces) == "ab"
    for bad, field in [
        (pb.ScriptChatRequest(), "reply"),
        (pb.ScriptChatRequest(tool_call=pb.ToolCall()), "tool_call.name"),
        (pb.ScriptChatRequest(structured_json="{nope"), "structured_json"),
        (pb.ScriptChatRequest(near_miss="almost"), "almost"),
        (pb.ScriptChatRequest(stream=pb.ChatStream(chunks=["x"], delay_seconds=-1)), "stream.delay_seconds"),
    ]:
        failed = _fails(control.ScriptChat, bad, metadata=md)
        assert failed.code() == grpc.StatusCode.INVALID_ARGUMENT, field  # type: ignore[attr-defined]
        assert field in failed.details(), failed.details()  # type: ignore[attr-defined]


def test_faults_chaos_and_the_request_log(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel
) -> None:
    md = _token(fake)
    control.AddFault(pb.AddFaultRequest(code="UNAVAILABLE", method="Models/ListLanguageModels", times=1), metadata=md)
    models = models_pb2_grpc.ModelsStub(channel)
    assert _fails(models.ListLanguageModels, empty_pb2.Empty(), metadata=API_METADATA).code() == (
        grpc.StatusCode.UNAVAILABLE  # the test channel does not retry
    )
    assert models.ListLanguageModels(empty_pb2.Empty(), metadata=API_METADATA, timeout=10).models
    log = control.ListRequests(pb.ListRequestsRequest(method="Models/ListLanguageModels", wait_for=2), metadata=md)
    assert [(call.method, call.code) for call in log.calls] == [
        ("xai_api.Models/ListLanguageModels", "UNAVAILABLE"),
        ("xai_api.Models/ListLanguageModels", "OK"),
    ]
    assert log.calls[1].responses == 1
    assert log.calls[0].metadata["authorization"] != API_METADATA[0][1]  # redacted
    assert log.dropped == 0

    control.AddFault(pb.AddFaultRequest(code="INTERNAL", probability=0.5, seed=3), metadata=md)
    codes = []
    for _ in range(40):
        try:
            models.ListLanguageModels(empty_pb2.Empty(), metadata=API_METADATA, timeout=10)
            codes.append("OK")
        except grpc.RpcError as error:
            codes.append(error.code().name)  # type: ignore[attr-defined]
    assert 8 < codes.count("INTERNAL") < 32
    assert set(codes) == {"OK", "INTERNAL"}

    control.ClearRequests(pb.ClearRequestsRequest(), metadata=md)
    assert list(control.ListRequests(pb.ListRequestsRequest(), metadata=md).calls) == []
    assert len(fake.requests) == 0  # control calls are never logged either

    waited = _fails(control.ListRequests, pb.ListRequestsRequest(wait_for=1, timeout_seconds=0.2), metadata=md)
    assert waited.code() == grpc.StatusCode.DEADLINE_EXCEEDED  # type: ignore[attr-defined]
    bad = _fails(control.AddFault, pb.AddFaultRequest(code="UNAVAILABLE", delay_seconds=-1), metadata=md)
    assert "delay_seconds" in bad.details()  # type: ignore[attr-defined]


def test_faults_and_failures_carry_every_retry_hint(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel
) -> None:
    md = _token(fake)
    hints = {"pushback_ms": 1500, "retry_info_seconds": 1.5, "trailing_metadata": {"x-ratelimit-remaining": "0"}}
    control.AddFault(
        pb.AddFaultRequest(code="RESOURCE_EXHAUSTED", method="Models/ListLanguageModels", times=1, **hints),
        metadata=md,
    )
    step = pb.Step(fail=pb.Failure(code="RESOURCE_EXHAUSTED", details="quota", **hints))
    control.Script(pb.ScriptRequest(method="Chat/GetCompletion", steps=[step]), metadata=md)
    models, chat = models_pb2_grpc.ModelsStub(channel), chat_pb2_grpc.ChatStub(channel)
    for failed in (
        _fails(models.ListLanguageModels, empty_pb2.Empty(), metadata=API_METADATA),
        _fails(chat.GetCompletion, CHAT_REQUEST, metadata=API_METADATA),
    ):
        assert failed.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]
        assert retry_delay_of(failed) == 1.5
        found = trailers(failed)
        assert (found["grpc-retry-pushback-ms"], found["x-ratelimit-remaining"]) == ("1500", "0")

    binary = {"trailing_metadata": {"x-trace-bin": "AAEC"}}
    refused = _fails(control.AddFault, pb.AddFaultRequest(code="UNAVAILABLE", **binary), metadata=md)
    assert "trailing_metadata['x-trace-bin']" in refused.details()  # type: ignore[attr-defined]
    step = pb.Step(fail=pb.Failure(code="UNAVAILABLE", retry_info_seconds=-1))
    refused = _fails(control.Script, pb.ScriptRequest(method="Chat/GetCompletion", steps=[step]), metadata=md)
    assert "steps[0].fail.retry_info_seconds" in refused.details()  # type: ignore[attr-defined]


# What a control message calls each keyword of the Python API it stands for.
FAULT_FIELDS = {"delay": "delay_seconds", "chunk_delay": "chunk_delay_seconds", "retry_info": "retry_info_seconds"}


@pytest.mark.parametrize(("python", "message"), [(FakeServer.fault, pb.AddFaultRequest), (Error, pb.Failure)])
def test_the_control_messages_cover_every_keyword_of_the_python_api(python: Any, message: Any) -> None:
    """A keyword added to ``fake.fault()`` or ``Error`` must reach other languages too."""
    keywords = set(inspect.signature(python).parameters) - {"self"}
    fields = {field.name for field in message.DESCRIPTOR.fields}
    missing = {keyword for keyword in keywords if FAULT_FIELDS.get(keyword, keyword) not in fields}
    assert not missing, f"{message.DESCRIPTOR.full_name} has no field for {sorted(missing)}"


def test_the_log_renders_requests_as_json(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel
) -> None:
    chat_pb2_grpc.ChatStub(channel).GetCompletion(CHAT_REQUEST, metadata=API_METADATA, timeout=10)
    call = control.ListRequests(pb.ListRequestsRequest(), metadata=_token(fake)).calls[0]
    assert json_format.Parse(call.requests_json[0], chat_pb2.GetCompletionsRequest()) == CHAT_REQUEST


def test_clock_health_and_reset(fake: FakeServer, control: control_pb2_grpc.ControlStub) -> None:
    md = _token(fake)
    frozen = control.Clock(pb.ClockRequest(freeze=True), metadata=md)
    assert frozen.frozen
    later = control.Clock(pb.ClockRequest(advance_seconds=3600), metadata=md)
    assert later.now == pytest.approx(frozen.now + 3600)
    assert fake.clock.time() == pytest.approx(later.now)
    moved = control.Clock(pb.ClockRequest(move_to=1_700_000_000), metadata=md)
    assert moved.now == 1_700_000_000
    assert control.Clock(pb.ClockRequest(), metadata=md).now == 1_700_000_000  # reading only
    assert control.Clock(pb.ClockRequest(real=True), metadata=md).now == pytest.approx(time.time(), abs=5)
    assert _fails(control.Clock, pb.ClockRequest(advance_seconds=-1), metadata=md).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )

    control.SetHealth(pb.SetHealthRequest(service="xai_api.Chat", status="NOT_SERVING"), metadata=md)
    assert fake.health.status("xai_api.Chat") == "NOT_SERVING"
    assert _fails(control.SetHealth, pb.SetHealthRequest(status="GREEN"), metadata=md).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )

    fake.chat.reply("left over")
    fake.session("s").chat.reply("in s")
    control.Reset(pb.ResetRequest(), metadata=_token(fake, "s"))  # the session only
    assert fake.script("Chat/GetCompletion").pending == 1
    assert fake.session("s").script("Chat/GetCompletion").pending == 0
    control.Reset(pb.ResetRequest(), metadata=md)  # the whole server
    assert fake.script("Chat/GetCompletion").pending == 0
    assert len(fake.sessions) == 0
    assert fake.health.status("xai_api.Chat") == "SERVING"


def test_load_cassette_replays_until_reset(
    fake: FakeServer, control: control_pb2_grpc.ControlStub, channel: grpc.Channel
) -> None:
    md = _token(fake, "replaying")
    missing = _fails(control.LoadCassette, pb.LoadCassetteRequest(path=str(ROOT / "no-such.pb")), metadata=md)
    assert missing.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    cassette = ROOT / "cassettes" / "samples" / "chat_sample.pb"
    loaded = control.LoadCassette(pb.LoadCassetteRequest(path=str(cassette), allow_playback_repeats=True), metadata=md)
    assert loaded.interactions >= 1
    session = fake.session("replaying")
    assert session.cassette is not None
    assert fake.cassette is None  # another session's cassette
    recorded = load(cassette).interactions[0]
    request = chat_pb2.GetCompletionsRequest.FromString(recorded.requests[0].body.value)
    answer = chat_pb2_grpc.ChatStub(channel).GetCompletion(
        request, metadata=(*API_METADATA, (SESSION_HEADER, "replaying"))
    )
    assert answer == chat_pb2.GetChatCompletionResponse.FromString(recorded.responses[0].body.value)
    control.Reset(pb.ResetRequest(), metadata=md)
    assert session.cassette is None
    corrupt = fake.session("x")
    bad = ROOT / "README.md"
    failed = _fails(control.LoadCassette, pb.LoadCassetteRequest(path=str(bad)), metadata=_token(fake, "x"))
    assert failed.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert corrupt.cassette is None


async def test_the_control_api_from_an_async_client_in_a_session() -> None:
    async with FakeServer() as fake, grpc.aio.insecure_channel(fake.address) as channel:
        control = control_pb2_grpc.ControlStub(channel)
        md = _token(fake, "async")
        await control.ScriptChat(pb.ScriptChatRequest(reply="async hello"), metadata=md)
        chat = chat_pb2_grpc.ChatStub(channel)
        answer = await chat.GetCompletion(CHAT_REQUEST, metadata=(*API_METADATA, (SESSION_HEADER, "async")))
        assert answer.outputs[0].message.content == "async hello"
        unscoped = await chat.GetCompletion(CHAT_REQUEST, metadata=API_METADATA)
        assert unscoped.outputs[0].message.content != "async hello"
        log = await control.ListRequests(pb.ListRequestsRequest(), metadata=md)
        assert [call.method for call in log.calls] == ["xai_api.Chat/GetCompletion"]
