"""Record through the proxy against a local upstream, stop the upstream, replay: the SDK sees the same results.

Call kinds: unary (Chat/GetCompletion), server streaming (Chat/GetCompletionChunk), client
streaming (Files/UploadFile via ``client.files.upload``). The xAI API has no bidirectional
streaming method, so there is no stream-stream case to record (the proxy forwards that kind
too, the same way as client streams). Errors: a unary error, and an error after 2 chunks.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
import trustme

from tests.cassette.conftest import make_upstream, real_keys, recording
from xai_fake import Error, FakeServer, Stream
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import load, new_cassette, pack, save
from xai_fake.cassette import player as player_module
from xai_fake.defaults.chat import chunks_of
from xai_fake.errors import FakeRpcError
from xai_fake.methods import all_methods
from xai_sdk.chat import tool, user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc

WEATHER = tool("get_weather", "Weather in a city", {"type": "object", "properties": {"city": {"type": "string"}}})


def script_upstream(up: FakeServer) -> None:
    """What the "real API" answers to one run of the scenario, call by call."""
    up.chat.reply("recorded answer", times=1)
    up.chat.tool_call("get_weather", {"city": "Paris"}, times=1)
    up.chat.stream(["Hel", "lo ", "world"], times=1)
    up.chat.error(grpc.StatusCode.INVALID_ARGUMENT, "recorded: bad request")
    partial = chat_pb2.GetChatCompletionResponse(
        id="partial",
        model="grok-4",
        outputs=[
            chat_pb2.CompletionOutput(
                index=0, message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content="abc")
            )
        ],
    )
    chunks = list(chunks_of(partial, ["a", "b", "c"]))[:2]
    error = Error(grpc.StatusCode.RESOURCE_EXHAUSTED, "recorded: quota gone mid-stream")
    up.script("Chat/GetCompletionChunk").respond(Stream(chunks, error=error), times=1)


async def settle(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def stream_of(chat: Any) -> list[Any]:
    """(chunk content, response content so far) pairs of a sync or async stream."""
    result = []
    stream = chat.stream()
    if hasattr(stream, "__aiter__"):
        async for response, chunk in stream:
            result.append((chunk.content, response.content))
    else:
        for response, chunk in stream:
            result.append((chunk.content, response.content))
    return result


async def scenario(client: Any) -> dict[str, Any]:
    """Every call kind and error through the SDK; returns what the SDK showed, for comparison."""
    seen: dict[str, Any] = {}
    answer = await settle(client.chat.create("grok-4", messages=[user("hello")]).sample())
    seen["unary"] = (answer.content, str(answer.usage), answer.finish_reason, answer.id)
    called = await settle(client.chat.create("grok-4", messages=[user("weather?")], tools=[WEATHER]).sample())
    seen["tool_calls"] = [(c.id, c.function.name, c.function.arguments) for c in called.tool_calls]
    seen["stream"] = await stream_of(client.chat.create("grok-4", messages=[user("stream please")]))
    with pytest.raises(grpc.RpcError) as unary_error:
        await settle(client.chat.create("grok-4", messages=[user("make it fail")]).sample())
    seen["unary_error"] = (unary_error.value.code(), unary_error.value.details())
    got: list[Any] = []
    with pytest.raises(grpc.RpcError) as stream_error:
        chat = client.chat.create("grok-4", messages=[user("fail midway")])
        stream = chat.stream()
        if hasattr(stream, "__aiter__"):
            async for _, chunk in stream:
                got.append(chunk.content)
        else:
            for _, chunk in stream:
                got.append(chunk.content)
    seen["stream_error"] = (got, stream_error.value.code(), stream_error.value.details())
    uploaded = await settle(client.files.upload(b"some file content " * 100, filename="notes.txt"))
    seen["upload"] = (uploaded.id, uploaded.filename, uploaded.size)
    return seen


def make_client(server: FakeServer, kind: str, **kwargs: Any) -> Any:
    return server.client(**kwargs) if kind == "sync" else server.async_client(**kwargs)


async def close(client: Any) -> None:
    await settle(client.close())


@pytest.mark.parametrize("recorded_with", ["sync", "async"])
async def test_round_trip_every_call_kind(tmp_path: Path, recorded_with: str) -> None:
    path = tmp_path / "round_trip.pb"
    upstream = make_upstream().start()
    try:
        script_upstream(upstream)
        with recording(path, upstream) as proxy:
            client = make_client(proxy, recorded_with, **real_keys())
            recorded = await scenario(client)
            await close(client)
        assert upstream.requests.count() == 6, "every call went to the upstream"
    finally:
        upstream.stop()

    assert recorded["unary"][0] == "recorded answer"
    assert recorded["tool_calls"] == [("call_0", "get_weather", '{"city": "Paris"}')]
    assert [piece for piece, _ in recorded["stream"]][:3] == ["Hel", "lo ", "world"]
    assert recorded["unary_error"] == (grpc.StatusCode.INVALID_ARGUMENT, "recorded: bad request")
    assert recorded["stream_error"] == (
        ["a", "b"],
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "recorded: quota gone mid-stream",
    )
    cassette = load(path)
    methods = [i.method for i in cassette.interactions]
    assert methods.count("/xai_api.Chat/GetCompletionChunk") == 2
    assert "/xai_api.Files/UploadFile" in methods
    upload = next(i for i in cassette.interactions if i.method.endswith("UploadFile"))
    assert len(upload.requests) >= 2, "client-stream requests are kept in order"
    partial = [i for i in cassette.interactions if i.status_code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]]
    assert len(partial) == 1 and len(partial[0].responses) == 2

    # The upstream is gone: replay, with both clients, must show exactly the same.
    for replay_with in ("sync", "async"):
        with FakeServer(cassette=path, seed=99) as replay:
            client = make_client(replay, replay_with)
            assert await scenario(client) == recorded, f"replay with the {replay_with} client"
            await close(client)
            assert replay.cassette is not None and not replay.cassette.unplayed()


def test_the_api_has_no_bidirectional_streaming_method() -> None:
    """Documents why the round trip has no stream-stream case."""
    kinds = {method.kind for method in all_methods().values()}
    assert "stream_stream" not in kinds
    assert {"unary_unary", "unary_stream", "stream_unary"} <= kinds


def test_tls_upstream_with_a_private_ca(tmp_path: Path) -> None:
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    tls = (certificate.private_key_and_cert_chain_pem.bytes(), certificate.private_key_pem.bytes())
    chain = b"".join(blob.bytes() for blob in certificate.cert_chain_pems)
    path = tmp_path / "tls.pb"
    with make_upstream(tls=(chain, tls[1])) as upstream:
        upstream.chat.reply("over TLS")
        with (
            recording(path, upstream, upstream_root_certificates=ca.cert_pem.bytes()) as proxy,
            proxy.client(**real_keys()) as client,
        ):
            assert client.chat.create("grok-4", messages=[user("hi")]).sample().content == "over TLS"
        # Without the CA the handshake fails: the channel really is TLS.
        with (
            recording(tmp_path / "untrusted.pb", upstream, upstream_tls=True) as proxy,
            proxy.client(**real_keys()) as client,
            pytest.raises(grpc.RpcError) as failure,
        ):
            client.chat.create("grok-4", messages=[user("hi")]).sample(timeout=5)
        assert failure.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert [i.method for i in load(path).interactions] == ["/xai_api.Chat/GetCompletion"]
    with FakeServer(cassette=path) as replay, replay.client() as client:
        assert client.chat.create("grok-4", messages=[user("hi")]).sample().content == "over TLS"


def test_upstream_errors_without_a_response_are_recorded_and_replayed(tmp_path: Path, upstream: FakeServer) -> None:
    """A wrong key: the upstream (not the proxy) refuses it, and that answer is recorded too."""
    path = tmp_path / "unauthenticated.pb"
    with (
        recording(path, upstream) as proxy,
        proxy.client(api_key="wrong-key") as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        client.models.list_language_models()
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with FakeServer(cassette=path) as replay, replay.client() as client, pytest.raises(grpc.RpcError) as replayed:
        client.models.list_language_models()
    assert (replayed.value.code(), replayed.value.details()) == (failure.value.code(), failure.value.details())


# -- replayed metadata and status, unary pauses, responses decoded once -----------------------------


def _completion(content: str) -> chat_pb2.GetChatCompletionResponse:
    message = chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content=content)
    return chat_pb2.GetChatCompletionResponse(
        id=content, model="grok-4", outputs=[chat_pb2.CompletionOutput(message=message)]
    )


def script_metadata_upstream(up: FakeServer) -> None:
    """Answers that carry initial and trailing metadata: unary OK, unary error, stream failing after 2 chunks."""

    async def unary(request: Any, context: Any) -> Any:
        await context.send_initial_metadata((("x-served-by", "upstream-1"),))
        context.set_trailing_metadata((("x-request-cost", "3"),))
        return _completion("unary")

    async def unary_error(request: Any, context: Any) -> Any:
        await context.send_initial_metadata((("x-served-by", "upstream-2"),))
        raise FakeRpcError(grpc.StatusCode.PERMISSION_DENIED, "recorded: no", trailing_metadata=(("x-why", "policy"),))

    chunks = list(chunks_of(_completion("abc"), ["a", "b", "c"]))[:2]

    async def stream(request: Any, context: Any) -> Any:
        await context.send_initial_metadata((("x-served-by", "upstream-3"),))

        async def messages() -> Any:
            for chunk in chunks:
                yield chunk
            raise FakeRpcError(grpc.StatusCode.UNAVAILABLE, "recorded: gone", trailing_metadata=(("x-retry-in", "5"),))

        return messages()

    up.script("Chat/GetCompletion").respond_with(unary, times=1)
    up.script("Chat/GetCompletion").respond_with(unary_error, times=1)
    up.script("Chat/GetCompletionChunk").respond_with(stream, times=1)


def _ours(metadata: Any) -> list[tuple[str, str]]:
    return [(key, value) for key, value in metadata or () if key.startswith("x-")]


async def metadata_scenario(client: Any) -> dict[str, Any]:
    """What a caller sees of metadata and status: initial, trailing, the code and the details."""
    stubs, kwargs = client.stubs, client.stubs.kwargs()
    chat = stubs.chat
    seen: dict[str, Any] = {}
    ok = chat_pb2.GetCompletionsRequest(model="grok-4", messages=[user("ok")])
    failing = chat_pb2.GetCompletionsRequest(model="grok-4", messages=[user("fail")])
    streamed = chat_pb2.GetCompletionsRequest(model="grok-4", messages=[user("stream")])
    if inspect.iscoroutinefunction(getattr(client, "close", None)):
        call = chat.GetCompletion(ok, **kwargs)
        response = await call
        seen["unary"] = (response.id, _ours(await call.initial_metadata()), _ours(await call.trailing_metadata()))
        call = chat.GetCompletion(failing, **kwargs)
        with pytest.raises(grpc.RpcError) as error:
            await call
        seen["error"] = (error.value.code(), error.value.details(), _ours(await call.initial_metadata()))
        seen["error_trailing"] = _ours(await call.trailing_metadata())
        call = chat.GetCompletionChunk(streamed, **kwargs)
        got = []
        with pytest.raises(grpc.RpcError) as error:
            async for chunk in call:
                got.append(chunk.outputs[0].delta.content)
        seen["stream"] = (got, error.value.code(), error.value.details(), _ours(await call.initial_metadata()))
        seen["stream_trailing"] = _ours(await call.trailing_metadata())
    else:
        response, call = chat.GetCompletion.with_call(ok, **kwargs)
        seen["unary"] = (response.id, _ours(call.initial_metadata()), _ours(call.trailing_metadata()))
        with pytest.raises(grpc.RpcError) as error:
            chat.GetCompletion(failing, **kwargs)
        failure: Any = error.value
        seen["error"] = (failure.code(), failure.details(), _ours(failure.initial_metadata()))
        seen["error_trailing"] = _ours(failure.trailing_metadata())
        stream = chat.GetCompletionChunk(streamed, **kwargs)
        got = []
        with pytest.raises(grpc.RpcError) as error:
            for chunk in stream:
                got.append(chunk.outputs[0].delta.content)
        seen["stream"] = (got, stream.code(), stream.details(), _ours(stream.initial_metadata()))
        seen["stream_trailing"] = _ours(stream.trailing_metadata())
    return seen


@pytest.mark.parametrize("replay_with", ["sync", "async"])
async def test_replay_sends_the_recorded_metadata_and_status(tmp_path: Path, replay_with: str) -> None:
    path = tmp_path / "metadata.pb"
    with make_upstream() as upstream:
        script_metadata_upstream(upstream)
        with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
            recorded = await metadata_scenario(client)
    assert recorded == {
        "unary": ("unary", [("x-served-by", "upstream-1")], [("x-request-cost", "3")]),
        "error": (grpc.StatusCode.PERMISSION_DENIED, "recorded: no", [("x-served-by", "upstream-2")]),
        "error_trailing": [("x-why", "policy")],
        "stream": (["a", "b"], grpc.StatusCode.UNAVAILABLE, "recorded: gone", [("x-served-by", "upstream-3")]),
        "stream_trailing": [("x-retry-in", "5")],
    }
    with FakeServer(cassette=path) as replay:
        client = make_client(replay, replay_with)
        assert await metadata_scenario(client) == recorded
        await close(client)
        assert replay.cassette is not None and not replay.cassette.unplayed()


def test_a_unary_replay_honours_the_recorded_pause(tmp_path: Path) -> None:
    # The pause is written into the cassette (the response 0.4 s after the request), not waited for.
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="slow")])]
    )
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion")
    interaction.requests.append(pack(request, 0.0))
    interaction.responses.append(pack(_completion("slow"), 0.4))
    interaction.duration.FromNanoseconds(400_000_000)
    path = save(new_cassette([interaction]), tmp_path / "slow_unary.pb")

    def timed(**options: Any) -> float:
        with FakeServer(cassette=path, **options) as replay, grpc.insecure_channel(replay.address) as channel:
            stub = chat_pb2_grpc.ChatStub(channel)
            started = time.monotonic()
            response = stub.GetCompletion(request, metadata=[("authorization", "Bearer k")], timeout=5)
            assert response.outputs[0].message.content == "slow"
            return time.monotonic() - started

    assert timed() < 0.3
    assert timed(honour_timing=True) >= 0.35
    assert timed(honour_timing=True, speed=4.0) < 0.3


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_recorded_responses_are_decoded_once(
    tmp_path: Path, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "decoded_once.pb"
    upstream.chat.reply("once", times=1)
    upstream.chat.stream(["x", "y"], times=1)
    with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
        client.chat.create("grok-4", messages=[user("unary")]).sample()
        list(client.chat.create("grok-4", messages=[user("stream")]).stream())
    decoded: list[str] = []
    original = player_module.unpack

    def counting(recorded: Any) -> Any:
        message = original(recorded)
        decoded.append(type(message).__name__)
        return message

    monkeypatch.setattr(player_module, "unpack", counting)
    with FakeServer(cassette=path, allow_playback_repeats=True) as replay:
        requests_decoded = len(decoded)
        assert requests_decoded == 2, "requests are decoded when the cassette is opened"
        client = make_client(replay, kind)
        for _ in range(3):
            assert (await settle(client.chat.create("grok-4", messages=[user("unary")]).sample())).content == "once"
            pieces = await stream_of(client.chat.create("grok-4", messages=[user("stream")]))
            assert [piece for piece, _ in pieces][:2] == ["x", "y"]
        await close(client)
    responses = decoded[requests_decoded:]
    assert responses.count("GetChatCompletionResponse") == 1
    assert 2 <= responses.count("GetChatCompletionChunk") <= 4  # the chunks of one stream, decoded once
