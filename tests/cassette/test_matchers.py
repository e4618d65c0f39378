"""Matching: ignored fields, custom functions, the closest-request diff, playback order and repeats, timing."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from tests.cassette.conftest import SECRET_KEY, real_keys, recording
from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import (
    CallView,
    CassetteOptions,
    Player,
    Redactor,
    RequestMatcher,
    diff_messages,
    load,
    new_cassette,
    pack,
    register_matcher,
    registered_matchers,
    unregister_matcher,
)
from xai_fake.cassette.matchers import comparable_metadata, matcher_form
from xai_fake.methods import resolve_method
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, deferred_pb2, files_pb2, sample_pb2


def request(text: str = "hi", **fields: Any) -> chat_pb2.GetCompletionsRequest:
    message = chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=text)])
    fields.setdefault("model", "grok-4")
    return chat_pb2.GetCompletionsRequest(messages=[message], **fields)


METHOD = "xai_api.Chat/GetCompletion"


def test_default_is_request_equality() -> None:
    matcher = RequestMatcher()
    assert matcher.matches(METHOD, [request()], [request()], streaming=False)
    assert not matcher.matches(METHOD, [request()], [request(seed=2)], streaming=False)


@pytest.mark.parametrize("path", ["seed", "xai_api.GetCompletionsRequest.seed"])
def test_ignore_fields_by_name_or_typed_path(path: str) -> None:
    matcher = RequestMatcher(ignore_fields=[path, "user"])
    assert matcher.matches(METHOD, [request(seed=1, user="a")], [request(seed=2, user="b")], streaming=False)
    assert not matcher.matches(METHOD, [request("hi", seed=1)], [request("ho", seed=2)], streaming=False)


def test_bare_names_match_at_any_depth_typed_paths_only_their_type() -> None:
    deep = RequestMatcher(ignore_fields=["text"])
    assert deep.matches(METHOD, [request("a")], [request("b")], streaming=False)
    typed = RequestMatcher(ignore_fields=["xai_api.Content.text"])
    assert typed.matches(METHOD, [request("a")], [request("b")], streaming=False)
    other_type = RequestMatcher(ignore_fields=["xai_api.GetCompletionsRequest.text"])
    assert not other_type.matches(METHOD, [request("a")], [request("b")], streaming=False)
    rooted = RequestMatcher(ignore_fields=["messages.content"])
    assert rooted.matches(METHOD, [request("a")], [request("b")], streaming=False)


def test_custom_function_gets_method_and_requests() -> None:
    seen: list[Any] = []

    def same_model(method: str, recorded: Any, live: Any) -> bool:
        seen.append((method, type(recorded).__name__, type(live).__name__))
        return bool(recorded.model == live.model)

    matcher = RequestMatcher(match_on=["method", same_model])
    assert matcher.matches(METHOD, [request("a")], [request("b")], streaming=False)
    assert not matcher.matches(METHOD, [request()], [request(model="grok-3")], streaming=False)
    assert seen[0] == (METHOD, "GetCompletionsRequest", "GetCompletionsRequest")
    streaming = RequestMatcher(match_on=lambda method, recorded, live: len(recorded) == len(live))
    chunks = [files_pb2.UploadFileChunk(data=b"x")] * 2
    assert streaming.matches("xai_api.Files/UploadFile", chunks, chunks, streaming=True)


def test_bad_matcher_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown matcher 'body'"):
        RequestMatcher(match_on=["body"])
    with pytest.raises(TypeError, match="list of field paths"):
        RequestMatcher(ignore_fields="seed")
    with pytest.raises(ValueError, match="bad field path"):
        RequestMatcher(ignore_fields=[".seed"])


def test_diff_names_each_differing_field() -> None:
    lines = diff_messages(request("hi", seed=1), request("ho", seed=2, user="u"))
    assert sorted(lines) == ["messages[0].content[0].text: 'hi' -> 'ho'", "seed: 1 -> 2", "user: '' -> 'u'"]
    assert RequestMatcher(ignore_fields=["seed"]).diff([request(seed=1)], [request(seed=2)]) == []


def record_chat(path: Path, upstream: FakeServer, prompts: list[tuple[str, str]], **chat: Any) -> None:
    for _, answer in prompts:
        upstream.chat.reply(answer, times=1)
    with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
        for prompt, _ in prompts:
            client.chat.create("grok-4", messages=[user(prompt)], **chat).sample()


def test_ignore_fields_in_replay(tmp_path: Path, upstream: FakeServer) -> None:
    path = tmp_path / "seeded.pb"
    record_chat(path, upstream, [("hi", "seeded answer")], seed=1, user="alice")
    with (
        FakeServer(cassette=path, ignore_fields=["seed", "xai_api.GetCompletionsRequest.user"]) as replay,
        replay.client() as client,
    ):
        answer = client.chat.create("grok-4", messages=[user("hi")], seed=2, user="bob").sample()
    assert answer.content == "seeded answer"


def test_a_miss_names_the_closest_request_and_the_diff(tmp_path: Path, upstream: FakeServer) -> None:
    path = tmp_path / "miss.pb"
    record_chat(path, upstream, [("what is 2+2?", "4"), ("tell me a joke", "no")])
    with FakeServer(cassette=path) as replay, replay.client() as client:
        with pytest.raises(grpc.RpcError) as failure:
            client.chat.create("grok-4", messages=[user("what is 2+3?")], temperature=0.5).sample()
        assert replay.cassette is not None
        [miss] = replay.cassette.misses
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = failure.value.details()
    assert str(path) in details and "/xai_api.Chat/GetCompletion" in details
    assert "messages[0].content[0].text: 'what is 2+2?' -> 'what is 2+3?'" in details
    assert "temperature: <unset> -> 0.5" in details, details
    assert miss.closest is not None and "2+2" in str(miss.closest)
    assert "what is 2+3?" in miss.explain()


def test_each_interaction_plays_once_in_order(tmp_path: Path, upstream: FakeServer) -> None:
    path = tmp_path / "twice.pb"
    record_chat(path, upstream, [("again", "first"), ("again", "second")])
    with FakeServer(cassette=path) as replay, replay.client() as client:
        chat = client.chat.create("grok-4", messages=[user("again")])
        assert [chat.sample().content, chat.sample().content] == ["first", "second"]
        with pytest.raises(grpc.RpcError) as failure:
            chat.sample()
        assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "already played" in failure.value.details()
    with FakeServer(cassette=path, allow_playback_repeats=True) as replay, replay.client() as client:
        chat = client.chat.create("grok-4", messages=[user("again")])
        assert [chat.sample().content for _ in range(4)] == ["first", "second", "second", "second"]


def test_fallback_to_defaults_answers_a_miss(tmp_path: Path, upstream: FakeServer) -> None:
    path = tmp_path / "fallback.pb"
    record_chat(path, upstream, [("hi", "recorded")])
    with FakeServer(cassette=path, fallback_to_defaults=True) as replay, replay.client() as client:
        assert client.chat.create("grok-4", messages=[user("unrecorded")]).sample().content
        assert replay.cassette is not None and len(replay.cassette.misses) == 1


def timed_stream(server: FakeServer) -> float:
    with server.client() as client:
        started = time.monotonic()
        pieces = [chunk.content for _, chunk in client.chat.create("grok-4", messages=[user("slow")]).stream()]
        elapsed = time.monotonic() - started
    assert pieces[:4] == ["a", "b", "c", "d"]
    return elapsed


def test_honour_timing_with_a_speed_factor(tmp_path: Path, upstream: FakeServer) -> None:
    path = tmp_path / "timed.pb"
    upstream.chat.stream(["a", "b", "c", "d"], delay=0.15, times=1)
    with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
        started = time.monotonic()
        list(client.chat.create("grok-4", messages=[user("slow")]).stream())
        recorded = time.monotonic() - started
    assert recorded >= 0.6  # 5 chunks, 0.15 s before each
    with FakeServer(cassette=path) as replay:
        instant = timed_stream(replay)
    with FakeServer(cassette=path, honour_timing=True) as replay:
        real_time = timed_stream(replay)
    with FakeServer(cassette=path, honour_timing=True, speed=4.0) as replay:
        fast = timed_stream(replay)
    # Compared with each other, not with the clock alone: a loaded machine slows all three alike.
    assert 0.45 <= real_time <= recorded + 1.0
    assert instant < real_time / 2
    assert fast < real_time * 0.6
    with pytest.raises(ValueError, match="speed must be > 0"):
        FakeServer(cassette=path, speed=0)


# -- the matcher registry, the metadata matcher, matching across methods ---------------------------


@pytest.fixture
def registry() -> Iterator[list[str]]:
    """Names registered by the test, removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        if name in registered_matchers():
            unregister_matcher(name)


async def settle(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def make_client(server: FakeServer, kind: str, **kwargs: Any) -> Any:
    return server.client(**kwargs) if kind == "sync" else server.async_client(**kwargs)


async def ask(client: Any, prompt: str, **chat: Any) -> str:
    response = await settle(client.chat.create("grok-4", messages=[user(prompt)], **chat).sample())
    return str(response.content)


async def sample_stream(client: Any, prompt: str) -> list[str]:
    stream = client.sampler.stream(prompt, "grok-4")
    if hasattr(stream, "__aiter__"):
        return [chunk.text async for _, chunk in stream]
    return [chunk.text for _, chunk in stream]


def test_the_builtin_matchers_are_registered_and_cannot_be_replaced(registry: list[str]) -> None:
    assert list(registered_matchers())[:3] == ["method", "request", "metadata"]
    for name in ("method", "request", "metadata"):
        with pytest.raises(ValueError, match="built-in matcher"):
            register_matcher(name, lambda recorded, live: True)
        with pytest.raises(ValueError, match="built-in matcher"):
            unregister_matcher(name)
    registry.append("always")
    register_matcher("always", lambda recorded, live: True)
    with pytest.raises(ValueError, match="already registered; pass replace=True"):
        register_matcher("always", lambda recorded, live: False)
    register_matcher("always", lambda recorded, live: False, replace=True)
    assert not RequestMatcher(["always"]).matches(METHOD, [request()], [request()], streaming=False)
    with pytest.raises(ValueError, match="non-empty string"):
        register_matcher("", lambda recorded, live: True)
    with pytest.raises(KeyError, match="no matcher named 'never-registered'"):
        unregister_matcher("never-registered")


def test_unknown_matcher_names_list_the_registered_ones(registry: list[str]) -> None:
    registry.append("tenant")
    register_matcher("tenant", lambda recorded, live: True)
    with pytest.raises(ValueError, match="unknown matcher 'body'") as failure:
        RequestMatcher(match_on=["method", "body"])
    assert "method, request, metadata, tenant" in str(failure.value)
    with pytest.raises(ValueError, match="unknown matcher 'body'"):
        CassetteOptions("any.pb", match_on=["body"])
    with pytest.raises(TypeError, match="matcher names and functions"):
        RequestMatcher(match_on=[42])  # type: ignore[list-item]


def test_the_form_of_a_matcher_is_told_by_its_signature() -> None:
    def legacy(method: str, recorded: Any, live: Any) -> bool:
        return True

    def view(recorded: CallView, live: CallView) -> bool:
        return True

    def four(a: Any, b: Any, c: Any, d: Any) -> bool:
        return True

    class Callable:
        def __call__(self, recorded: CallView, live: CallView, *, strict: bool = False) -> bool:
            return True

    assert matcher_form(legacy) == "legacy"
    assert matcher_form(lambda method, recorded, live, extra=None: True) == "legacy"
    assert matcher_form(view) == "view"
    assert matcher_form(Callable()) == "view"
    assert matcher_form(lambda *views: True) == "view"
    assert matcher_form(lambda recorded, live=None: True) == "view"
    assert matcher_form(functools.partial(four, "bound")) == "legacy"
    with pytest.raises(TypeError, match="takes \\(a, b, c, d\\)"):
        matcher_form(four)
    with pytest.raises(TypeError, match="a matcher takes"):
        matcher_form(lambda only: True)
    with pytest.raises(TypeError, match="must be callable"):
        matcher_form("method")  # type: ignore[arg-type]


def test_both_forms_can_be_registered_and_passed_directly(registry: list[str]) -> None:
    seen: list[tuple[str, Any, Any]] = []

    def legacy(method: str, recorded: Any, live: Any) -> bool:
        seen.append((method, recorded, live))
        return bool(recorded.model == live.model)

    registry.append("same-model")
    register_matcher("same-model", legacy)

    def view(recorded: CallView, live: CallView) -> bool:
        return bool(recorded.request.model == live.request.model)

    for match_on in (["method", "same-model"], ["method", legacy], ["method", view]):
        matcher = RequestMatcher(match_on)
        assert not matcher.indexable
        assert matcher.matches(METHOD, [request("a")], [request("b")], streaming=False)
        assert not matcher.matches(METHOD, [request()], [request(model="grok-3")], streaming=False)
    assert seen[0][0] == METHOD and isinstance(seen[0][1], chat_pb2.GetCompletionsRequest)
    assert RequestMatcher(["method", "request", "metadata"]).indexable


def test_a_view_shows_the_call_and_hides_credentials() -> None:
    chunks = [files_pb2.UploadFileChunk(data=b"x")] * 2
    live = CallView(
        "/xai_api.Files/UploadFile",
        chunks,
        {"authorization": f"Bearer {SECRET_KEY}", "x-tenant": "a", "x-other": "Bearer abc"},
        client_streaming=True,
    )
    assert live.method == "xai_api.Files/UploadFile"
    assert live.request == chunks
    assert live.metadata == {"authorization": "<redacted>", "x-tenant": "a", "x-other": "<redacted>"}
    assert SECRET_KEY not in repr(live) + str(live.metadata)
    assert SECRET_KEY not in repr([getattr(live, slot) for slot in CallView.__slots__]), "no copy of the secret kept"
    assert CallView(METHOD, [request()]).request == request()
    assert CallView(METHOD, []).request is None


def test_comparable_metadata_leaves_out_transport_volatile_and_credential_keys() -> None:
    sent = {
        "authorization": "Bearer xai-1", "x-api-key": "k", "user-agent": "grpc-python", "xai-sdk-version": "python/1",
        "xai-sdk-language": "python/3.11", "grpc-accept-encoding": "gzip", ":authority": "localhost",
        "content-type": "application/grpc", "x-tenant": "a", "X-Region": "eu", "x-dropped": "1", "x-cookie-id": "c",
        "x-forwarded": "Bearer leaked",
    }  # fmt: skip
    assert comparable_metadata(sent, frozenset({"x-dropped"})) == {
        "x-tenant": "a",
        "x-region": "eu",
        "x-forwarded": "<redacted>",
    }


def record_chat_with(path: Path, upstream: FakeServer, prompt: str, **client: Any) -> None:
    upstream.chat.reply(f"answer to {prompt}", times=1)
    options = client.pop("options", {})
    with recording(path, upstream, **options) as proxy, proxy.client(**real_keys(), **client) as sdk:
        sdk.chat.create("grok-4", messages=[user(prompt)]).sample()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_metadata_matcher_over_grpc(tmp_path: Path, upstream: FakeServer, kind: str) -> None:
    path = tmp_path / "tenant.pb"
    record_chat_with(path, upstream, "hi", metadata=(("x-tenant", "a"),))
    assert any(m.key == "x-tenant" for m in cassette_metadata(path))
    strict = ["method", "request", "metadata"]
    # The recorded key was the secret one and the SDK identity may differ: neither is compared.
    with FakeServer(cassette=path, match_on=strict, allow_playback_repeats=True) as replay:
        client = make_client(replay, kind, metadata=(("x-tenant", "a"),))
        assert await ask(client, "hi") == "answer to hi"
        await settle(client.close())
        for metadata, line in (
            ((("x-tenant", "b"),), "metadata['x-tenant']: 'a' -> 'b'"),
            ((), "metadata['x-tenant']: 'a' -> <absent>"),
            ((("x-tenant", "a"), ("x-extra", "1")), "metadata['x-extra']: <absent> -> '1'"),
        ):
            client = make_client(replay, kind, metadata=metadata)
            with pytest.raises(grpc.RpcError) as failure:
                await ask(client, "hi")
            await settle(client.close())
            assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert line in failure.value.details(), failure.value.details()
        assert replay.cassette is not None and len(replay.cassette.misses) == 3
    # Without "metadata" (the default), metadata does not count.
    with FakeServer(cassette=path) as replay:
        client = make_client(replay, kind, metadata=(("x-tenant", "b"),))
        assert await ask(client, "hi") == "answer to hi"
        await settle(client.close())


def cassette_metadata(path: Path) -> list[cassette_pb2.Metadatum]:
    return [entry for interaction in load(path).interactions for entry in interaction.request_metadata]


def test_redacted_metadata_values_are_compared_for_presence_and_dropped_keys_not_at_all(
    tmp_path: Path, upstream: FakeServer
) -> None:
    path = tmp_path / "email.pb"
    redactor = Redactor(redact_metadata=["x-user-email"], drop_metadata=["x-request-id"])
    record_chat_with(
        path,
        upstream,
        "hi",
        metadata=(("x-user-email", "alice@example.com"), ("x-request-id", "r-1")),
        options={"redactor": redactor},
    )
    values = {m.key: m.text for m in cassette_metadata(path)}
    assert values["x-user-email"] == "<redacted>" and "x-request-id" not in values
    options = CassetteOptions(path, match_on=["method", "request", "metadata"], redactor=redactor)
    with FakeServer(cassette=options) as replay:
        with replay.client(metadata=(("x-user-email", "bob@example.com"), ("x-request-id", "r-2"))) as client:
            assert client.chat.create("grok-4", messages=[user("hi")]).sample().content == "answer to hi"
        with replay.client() as client, pytest.raises(grpc.RpcError) as failure:
            client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert "metadata['x-user-email']: '<redacted>' -> <absent>" in failure.value.details()


def script_sample(up: FakeServer, texts: list[str], *, streaming: bool) -> None:
    responses = [sample_pb2.SampleTextResponse(id="s", choices=[sample_pb2.SampleChoice(text=t)]) for t in texts]
    if streaming:
        up.script("Sample/SampleTextStreaming").respond(responses, times=1)
    else:
        up.script("Sample/SampleText").respond(responses[0], times=1)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_leaving_out_method_matches_across_methods(tmp_path: Path, upstream: FakeServer, kind: str) -> None:
    """Sample/SampleText and Sample/SampleTextStreaming take and answer the same types."""
    unary, stream = tmp_path / "unary.pb", tmp_path / "stream.pb"
    script_sample(upstream, ["recorded unary"], streaming=False)
    with recording(unary, upstream) as proxy, proxy.client(**real_keys()) as client:
        assert client.sampler.sample("hi", "grok-4").text == "recorded unary"
    script_sample(upstream, ["chunk 1", "chunk 2"], streaming=True)
    with recording(stream, upstream) as proxy, proxy.client(**real_keys()) as client:
        assert [chunk.text for _, chunk in client.sampler.stream("hi", "grok-4")] == ["chunk 1", "chunk 2"]

    # By default the method counts.
    with FakeServer(cassette=unary) as replay:
        client = make_client(replay, kind)
        with pytest.raises(grpc.RpcError) as failure:
            await sample_stream(client, "hi")
        await settle(client.close())
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "method: /xai_api.Sample/SampleText -> /xai_api.Sample/SampleTextStreaming" in failure.value.details()

    # Without "method", the recorded unary answer streams as one chunk; the request must still match.
    with FakeServer(cassette=unary, match_on=["request"], allow_playback_repeats=True) as replay:
        client = make_client(replay, kind)
        assert await sample_stream(client, "hi") == ["recorded unary"]
        with pytest.raises(grpc.RpcError) as failure:
            await sample_stream(client, "other prompt")
        await settle(client.close())
    assert "prompt[0]: 'hi' -> 'other prompt'" in failure.value.details(), failure.value.details()

    # A recorded stream of two chunks cannot answer a unary call, whatever the matchers say.
    with FakeServer(cassette=stream, match_on=["request"]) as replay:
        client = make_client(replay, kind)
        with pytest.raises(grpc.RpcError) as failure:
            await settle(client.sampler.sample("hi", "grok-4"))
        await settle(client.close())
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "cannot answer xai_api.Sample/SampleText" in failure.value.details(), failure.value.details()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_registered_matcher_gets_views_of_both_calls(
    tmp_path: Path, upstream: FakeServer, registry: list[str], kind: str
) -> None:
    path = tmp_path / "custom.pb"
    record_chat_with(path, upstream, "hi", metadata=(("x-tenant", "a"),))
    seen: list[tuple[CallView, CallView]] = []

    def same_tenant(recorded: CallView, live: CallView) -> bool:
        seen.append((recorded, live))
        return recorded.metadata.get("x-tenant") == live.metadata.get("x-tenant")

    registry.append("same-tenant")
    register_matcher("same-tenant", same_tenant)
    with FakeServer(cassette=path, match_on=["method", "same-tenant"], allow_playback_repeats=True) as replay:
        client = make_client(replay, kind, metadata=(("x-tenant", "a"),))
        assert await ask(client, "any other prompt") == "answer to hi"
        await settle(client.close())
        client = make_client(replay, kind, metadata=(("x-tenant", "b"),))
        with pytest.raises(grpc.RpcError) as failure:
            await ask(client, "hi")
        await settle(client.close())
    assert "(none in the compared fields: a custom matcher refused it)" in failure.value.details()
    recorded, live = seen[0]
    assert recorded.method == live.method == "xai_api.Chat/GetCompletion"
    assert recorded.request.messages[0].content[0].text == "hi"
    assert live.request.messages[0].content[0].text == "any other prompt"
    assert recorded.metadata["authorization"] == live.metadata["authorization"] == "<redacted>"
    assert live.metadata["x-tenant"] == "a" and "xai-sdk-version" in live.metadata


# -- the index and a linear scan agree -----------------------------------------------------------------

_PROMPTS = ["a", "b"]
_METHODS = ["xai_api.Chat/GetCompletion", "xai_api.Chat/StartDeferredCompletion"]
_RESPONSES = {
    "xai_api.Chat/GetCompletion": chat_pb2.GetChatCompletionResponse(id="r"),
    "xai_api.Chat/StartDeferredCompletion": deferred_pb2.StartDeferredResponse(request_id="d"),
}
_calls = st.tuples(
    st.sampled_from(_METHODS),
    st.sampled_from(_PROMPTS),
    st.sampled_from([None, 1, 2]),  # seed
    st.sampled_from([None, "t1", "t2", "<redacted>"]),  # x-tenant (recorded "<redacted>": presence only)
)


def _chat_call(prompt: str, seed_value: int | None) -> chat_pb2.GetCompletionsRequest:
    return request(prompt) if seed_value is None else request(prompt, seed=seed_value)


def _metadata(tenant: str | None) -> dict[str, str]:
    metadata = {"authorization": "<redacted>", "user-agent": "grpc-python"}
    if tenant is not None:
        metadata["x-tenant"] = tenant
    return metadata


@seed(20261201)
@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    recorded=st.lists(_calls, max_size=8),
    live=st.lists(_calls, min_size=1, max_size=8),
    names=st.lists(st.sampled_from(["method", "request", "metadata"]), unique=True),
    ignore_seed=st.booleans(),
    repeats=st.booleans(),
)
def test_index_lookup_and_linear_scan_agree(
    recorded: list[tuple[str, str, int | None, str | None]],
    live: list[tuple[str, str, int | None, str | None]],
    names: list[str],
    ignore_seed: bool,
    repeats: bool,
) -> None:
    interactions = []
    for index, (method, prompt, seed_value, tenant) in enumerate(recorded):
        interaction = cassette_pb2.Interaction(
            method=f"/{method}",
            requests=[pack(_chat_call(prompt, seed_value))],
            responses=[pack(_RESPONSES[method])],
            status_details=f"#{index}",
        )
        for key, value in _metadata(tenant).items():
            interaction.request_metadata.add(key=key, text=value)
        interactions.append(interaction)
    cassette = new_cassette(interactions)
    ignore = ["seed"] if ignore_seed else []
    indexed = Player(cassette, "h.pb", matcher=RequestMatcher(names, ignore), allow_playback_repeats=repeats)
    linear = Player(
        cassette,
        "h.pb",
        matcher=RequestMatcher([*names, lambda recorded, live: True], ignore),
        allow_playback_repeats=repeats,
    )
    assert indexed.matcher.indexable and not linear.matcher.indexable
    for method_name, prompt, seed_value, tenant in live:
        called = resolve_method(method_name)
        requests = [_chat_call(prompt, seed_value)]
        metadata = _metadata(tenant if tenant != "<redacted>" else "secret-ish")
        found = [player.find(called, requests, metadata) for player in (indexed, linear)]
        assert [None if f is None else f.status_details for f in found[:1]] == [
            None if f is None else f.status_details for f in found[1:]
        ], (names, method_name, prompt, seed_value, tenant)
