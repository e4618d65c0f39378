"""Matching: ignored fields, custom functions, the closest-request diff, playback order and repeats, timing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.cassette.conftest import real_keys, recording
from xai_fake import FakeServer
from xai_fake.cassette import RequestMatcher, diff_messages
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, files_pb2


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
    assert instant < 0.4
    assert 0.45 <= real_time <= recorded + 1.0
    assert fast < real_time * 0.6
    with pytest.raises(ValueError, match="speed must be > 0"):
        FakeServer(cassette=path, speed=0)
