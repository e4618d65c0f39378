"""Record modes none / once / new_episodes / all, as in vcrpy, with strict names."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from tests.cassette.conftest import make_upstream, real_keys
from xai_fake import FakeServer
from xai_fake.cassette import RecordMode, load
from xai_sdk.chat import user


def ask(server: FakeServer, prompt: str) -> str:
    with server.client(**real_keys()) as client:
        return client.chat.create("grok-4", messages=[user(prompt)]).sample().content


def prompts(path: Path) -> list[str]:
    from xai_fake.cassette import unpack

    return [unpack(i.requests[0]).messages[0].content[0].text for i in load(path).interactions]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["none", "once", "new_episodes", "all"])
def test_names_parse(name: str) -> None:
    assert RecordMode.parse(name).value == name
    assert RecordMode.parse(RecordMode(name)) is RecordMode(name)


@pytest.mark.parametrize("name", ["None", "ALL", "new-episodes", "record", "", 1])
def test_unknown_names_are_refused_listing_the_valid_ones(name: object) -> None:
    with pytest.raises(ValueError, match="use one of: none, once, new_episodes, all"):
        RecordMode.parse(name)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown record mode"):
        FakeServer(cassette="x.pb", record_mode=name)  # type: ignore[arg-type]


def test_none_never_touches_the_network(tmp_path: Path) -> None:
    path = tmp_path / "missing.pb"
    with make_upstream() as upstream:
        with FakeServer(cassette=path, upstream=upstream.address) as replay, pytest.raises(grpc.RpcError) as failure:
            ask(replay, "hi")
        assert upstream.requests.count() == 0
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "does not exist" in failure.value.details()
    assert not path.exists()


def test_once_records_a_missing_cassette_then_only_replays(tmp_path: Path) -> None:
    path = tmp_path / "once.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("first recording", times=1)
        with FakeServer(cassette=path, record_mode="once", upstream=upstream.address) as proxy:
            assert proxy.cassette is not None and proxy.cassette.recording
            assert ask(proxy, "hi") == "first recording"
        with FakeServer(cassette=path, record_mode="once", upstream=upstream.address) as replay:
            assert replay.cassette is not None and not replay.cassette.recording
            assert ask(replay, "hi") == "first recording"
            with pytest.raises(grpc.RpcError) as failure:
                ask(replay, "something new")
        assert upstream.requests.count() == 1
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert prompts(path) == ["hi"]


def test_new_episodes_replays_hits_and_records_misses(tmp_path: Path) -> None:
    path = tmp_path / "episodes.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("old", times=1)
        with FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy:
            ask(proxy, "old question")
        upstream.chat.reply("new", times=1)
        with FakeServer(cassette=path, record_mode="new_episodes", upstream=upstream.address) as proxy:
            assert ask(proxy, "old question") == "old"
            assert ask(proxy, "new question") == "new"
        assert upstream.requests.count() == 2, "the hit did not go upstream"
    assert prompts(path) == ["old question", "new question"]


def test_all_rerecords_everything(tmp_path: Path) -> None:
    path = tmp_path / "all.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("v1", times=1)
        with FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy:
            ask(proxy, "q1")
        upstream.chat.reply("v2", times=1)
        with FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy:
            assert ask(proxy, "q1") == "v2", "the old recording is not replayed"
        assert upstream.requests.count() == 2
    assert prompts(path) == ["q1"]
    with FakeServer(cassette=path) as replay:
        assert ask(replay, "q1") == "v2"


def test_nothing_recorded_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "untouched.pb"
    with make_upstream() as upstream, FakeServer(cassette=path, record_mode="all", upstream=upstream.address):
        pass
    assert not path.exists()


def test_use_cassette_on_a_running_server(tmp_path: Path) -> None:
    path = tmp_path / "per_test.pb"
    with make_upstream() as upstream, FakeServer() as fake:
        upstream.chat.reply("proxied", times=1)
        with fake.use_cassette(path, record_mode="all", upstream=upstream.address) as layer:
            assert ask(fake, "hi") == "proxied"
            assert fake.cassette is layer
        assert fake.cassette is None and path.exists()
        assert ask(fake, "hi") != "proxied"  # defaults again
        with fake.use_cassette(path):
            assert ask(fake, "hi") == "proxied"


async def test_use_cassette_on_a_server_in_the_callers_loop(tmp_path: Path) -> None:
    path = tmp_path / "in_loop.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("async proxied", times=1)
        async with FakeServer() as fake:
            with fake.use_cassette(path, record_mode="all", upstream=upstream.address):
                async with fake.async_client(**real_keys()) as client:
                    answer = await client.chat.create("grok-4", messages=[user("hi")]).sample()
            assert answer.content == "async proxied"
            with fake.use_cassette(path):
                async with fake.async_client() as client:
                    replayed = await client.chat.create("grok-4", messages=[user("hi")]).sample()
            assert replayed.content == "async proxied"
