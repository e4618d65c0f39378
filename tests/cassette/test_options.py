"""CassetteOptions: one validated, immutable object for everything a cassette is opened with."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.cassette.conftest import real_keys, recording
from xai_fake import FakeServer
from xai_fake.cassette import CassetteLayer, CassetteOptions, RecordMode, Redactor
from xai_sdk.chat import user

#: The keyword options FakeServer(cassette=path, ...) passes through, besides the path.
KEYWORDS = (
    "record_mode", "upstream", "management_upstream", "upstream_root_certificates", "upstream_tls", "match_on",
    "ignore_fields", "allow_playback_repeats", "honour_timing", "speed", "redactor", "fallback_to_defaults",
)  # fmt: skip


def test_it_holds_every_option_with_the_layers_defaults() -> None:
    options = CassetteOptions("cassettes/chat.pb")
    assert [field.name for field in dataclasses.fields(options)] == ["path", *KEYWORDS]
    assert options.path == Path("cassettes/chat.pb")
    assert options.record_mode is RecordMode.NONE
    assert (options.upstream, options.management_upstream, options.upstream_root_certificates) == (None, None, None)
    assert (options.upstream_tls, options.match_on, options.ignore_fields, options.redactor) == (None, None, (), None)
    assert not (options.allow_playback_repeats or options.honour_timing or options.fallback_to_defaults)
    assert options.speed == 1.0


def test_values_are_normalised() -> None:
    def same(recorded: Any, live: Any) -> bool:
        return True

    options = CassetteOptions(
        Path("a.txtpb"), record_mode="new_episodes", match_on="method", ignore_fields=["seed"], speed=2
    )
    assert options.record_mode is RecordMode.NEW_EPISODES
    assert options.match_on == ("method",)
    assert options.ignore_fields == ("seed",)
    assert options.speed == 2.0 and isinstance(options.speed, float)
    assert CassetteOptions("a.pb", match_on=same).match_on == (same,)
    assert CassetteOptions("a.pb", match_on=["method", same]).match_on == ("method", same)
    assert CassetteOptions("a.pb", match_on=[]).match_on == ()
    assert hash(CassetteOptions("a.pb", ignore_fields=["seed"])) == hash(
        CassetteOptions("a.pb", ignore_fields=("seed",))
    )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"record_mode": "sometimes"}, ValueError, "unknown record mode 'sometimes'; use one of: none, once"),
        ({"speed": 0}, ValueError, "speed must be > 0"),
        ({"speed": -1.5}, ValueError, "speed must be > 0"),
        ({"speed": float("nan")}, ValueError, "speed must be > 0 and finite"),
        ({"speed": float("inf")}, ValueError, "speed must be > 0 and finite"),
        ({"speed": "fast"}, TypeError, "speed must be a number"),
        ({"speed": True}, TypeError, "speed must be a number"),
        ({"allow_playback_repeats": "yes"}, TypeError, "allow_playback_repeats must be True or False"),
        ({"honour_timing": 1}, TypeError, "honour_timing must be True or False"),
        ({"fallback_to_defaults": None}, TypeError, "fallback_to_defaults must be True or False"),
        ({"upstream_tls": "on"}, TypeError, "upstream_tls must be True, False or None"),
        ({"upstream": "https://api.x.ai"}, ValueError, "'host:port' without a scheme"),
        ({"management_upstream": ""}, TypeError, "management_upstream must be 'host:port' or None"),
        ({"upstream_root_certificates": "-----BEGIN"}, TypeError, r"PEM bytes or None, got str \(encode"),
        ({"redactor": {"drop_metadata": ["x"]}}, TypeError, "redactor must be a xai_fake.cassette.Redactor"),
        ({"match_on": ["method", "body"]}, ValueError, "unknown matcher 'body'"),
        ({"match_on": [3]}, TypeError, "matcher names and functions"),
        ({"ignore_fields": "seed"}, TypeError, "list of field paths, not the string 'seed'"),
        ({"ignore_fields": [".seed"]}, ValueError, "bad field path"),
    ],
)
def test_bad_values_fail_where_they_are_written(changes: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        CassetteOptions("a.pb", **changes)
    with pytest.raises(error, match=message):
        CassetteOptions("a.pb").replace(**changes)


@pytest.mark.parametrize("path", [None, "", b"a.pb", 3])
def test_the_path_must_be_a_path(path: Any) -> None:
    with pytest.raises(TypeError, match=r"path must be a non-empty str or pathlib\.Path"):
        CassetteOptions(path)


def test_options_are_keyword_only_after_the_path() -> None:
    with pytest.raises(TypeError):
        CassetteOptions("a.pb", "once")  # type: ignore[misc]


def test_frozen_and_replace() -> None:
    options = CassetteOptions("a.pb", ignore_fields=["seed"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.speed = 2.0  # type: ignore[misc]
    faster = options.replace(speed=4, honour_timing=True)
    assert (faster.speed, faster.honour_timing, faster.ignore_fields) == (4.0, True, ("seed",))
    assert (options.speed, options.honour_timing) == (1.0, False)
    assert options.replace() == options
    assert options.replace(path="b.pb").path == Path("b.pb")
    with pytest.raises(TypeError, match="unknown cassette option\\(s\\) ignore_field, speeed; the options are: path"):
        options.replace(speeed=2, ignore_field=["x"])


def test_the_matcher_follows_the_options() -> None:
    redactor = Redactor(drop_metadata=["X-Request-Id"])
    matcher = CassetteOptions(
        "a.pb", match_on=["method", "metadata"], ignore_fields=["seed"], redactor=redactor
    ).matcher()
    assert matcher.names == ["method", "metadata"]
    assert matcher.ignore_fields == ("seed",)
    assert matcher.ignore_metadata == frozenset({"x-request-id"})


def test_the_layer_takes_options_or_the_keyword_shorthand(tmp_path: Path) -> None:
    path = tmp_path / "none.pb"
    options = CassetteOptions(path, ignore_fields=["seed"], allow_playback_repeats=True)
    layer = CassetteLayer(options)
    assert layer.options is options and layer.path == path and layer.record_mode is RecordMode.NONE
    shorthand = CassetteLayer(path, ignore_fields=["seed"], allow_playback_repeats=True)
    assert shorthand.options == options
    changed = CassetteLayer(options, speed=3.0)
    assert changed.options == options.replace(speed=3.0)
    assert layer.player.matcher.ignore_fields == ("seed",) and layer.player.allow_playback_repeats
    with pytest.raises(ValueError, match="speed must be > 0"):
        CassetteLayer(path, speed=-1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'speeed'"):
        CassetteLayer(path, speeed=2)


def test_the_answer_entry_point_is_a_coroutine_function() -> None:
    assert inspect.iscoroutinefunction(CassetteLayer.answer)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_server_replays_from_options(tmp_path: Path, upstream: FakeServer, kind: str) -> None:
    path = tmp_path / "options.pb"
    upstream.chat.reply("recorded", times=1)
    with (
        FakeServer(cassette=CassetteOptions(path, record_mode="all", upstream=upstream.address)) as proxy,
        proxy.client(**real_keys()) as client,
    ):
        assert client.chat.create("grok-4", messages=[user("hi")], seed=1).sample().content == "recorded"
    options = CassetteOptions(path, ignore_fields=["seed"], allow_playback_repeats=True)
    with FakeServer(cassette=options) as replay:
        assert replay.cassette is not None and replay.cassette.options == options
        if kind == "sync":
            with replay.client() as client:
                contents = [
                    client.chat.create("grok-4", messages=[user("hi")], seed=s).sample().content for s in (2, 3)
                ]
        else:
            aclient = replay.async_client()
            contents = [
                (await aclient.chat.create("grok-4", messages=[user("hi")], seed=s).sample()).content for s in (2, 3)
            ]
            await aclient.close()
        assert contents == ["recorded", "recorded"]
    once = options.replace(allow_playback_repeats=False)
    with FakeServer() as shared, shared.use_cassette(once) as layer, shared.client() as client:
        assert client.chat.create("grok-4", messages=[user("hi")]).sample().content == "recorded"
        with pytest.raises(grpc.RpcError) as failure:
            client.chat.create("grok-4", messages=[user("hi")]).sample()
        assert "already played" in failure.value.details()
        assert len(layer.misses) == 1


def test_recording_options_reach_the_recorder(tmp_path: Path, upstream: FakeServer) -> None:
    redactor = Redactor(drop_metadata=["x-request-id"])
    with recording(tmp_path / "r.pb", upstream, redactor=redactor, upstream_tls=False) as proxy:
        layer = proxy.cassette
        assert layer is not None and layer.recorder is not None
        assert layer.recorder.redactor is redactor and layer.recorder.upstream == upstream.address
        assert layer.recorder.upstream_tls is False


def test_options_and_keywords_together_are_refused(tmp_path: Path) -> None:
    options = CassetteOptions(tmp_path / "x.pb")
    with pytest.raises(TypeError, match=r"either in CassetteOptions or as keywords, not both: \['speed'\]"):
        FakeServer(cassette=options, speed=2.0)
    assert FakeServer(cassette=options, record_mode="none").cassette is not None  # a default is not "given"
