"""The pytest side of cassettes, in separate pytest runs (pytester) against a local upstream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xai_fake import FakeServer
from xai_fake.cassette import load

TESTS = """
import os
import pytest
from xai_sdk.chat import user

PROMPT = os.environ.get("PROMPT", "hi")

@pytest.mark.xai_cassette
def test_default_name(xai_client):
    assert xai_client.chat.create("grok-4", messages=[user(PROMPT)]).sample().content == "from upstream"

@pytest.mark.xai_cassette("custom_name", ignore_fields=["seed"])
def test_named(xai_client):
    answer = xai_client.chat.create("grok-4", messages=[user("named")], seed=int(os.environ.get("SEED", "1")))
    assert answer.sample().content == "from upstream"

@pytest.mark.xai_cassette
async def test_async(xai_async_client):
    chat = xai_async_client.chat.create("grok-4", messages=[user("async")])
    assert (await chat.sample()).content == "from upstream"
"""


@pytest.fixture
def upstream() -> Iterator[FakeServer]:
    with FakeServer(seed=3) as server:
        server.chat.reply("from upstream")
        yield server


def setup(pytester: pytest.Pytester, source: str = TESTS) -> None:
    pytester.makepyfile(test_recorded=source)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")


def record(pytester: pytest.Pytester, upstream: FakeServer, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-q", "--xai-record-mode=once", f"--xai-upstream={upstream.address}", *args)


def test_record_then_replay_with_default_paths(pytester: pytest.Pytester, upstream: FakeServer) -> None:
    setup(pytester)
    record(pytester, upstream).assert_outcomes(passed=3)
    assert upstream.requests.count() == 3
    folder = pytester.path / "cassettes" / "test_recorded"
    assert sorted(p.name for p in folder.iterdir()) == ["custom_name.pb", "test_async.pb", "test_default_name.pb"]
    assert [i.method for i in load(folder / "test_default_name.pb").interactions] == ["/xai_api.Chat/GetCompletion"]
    upstream.requests.clear()
    # Default mode: none. Replays offline (the upstream is not asked), ignore_fields from the marker apply.
    pytester.runpytest_subprocess("-q", "--xai-cassette-strict").assert_outcomes(passed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEED", "7")
        pytester.runpytest_subprocess("-q", "-k", "named").assert_outcomes(passed=1)
    assert upstream.requests.count() == 0


def test_default_mode_never_records(pytester: pytest.Pytester) -> None:
    setup(pytester)
    result = pytester.runpytest_subprocess("-q", "-k", "default_name")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*does not exist*", "*test_default_name.pb*"])
    assert not (pytester.path / "cassettes").exists()


def test_a_miss_fails_the_test_with_the_closest_request_diff(
    pytester: pytest.Pytester, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester)
    record(pytester, upstream, "-k", "default_name").assert_outcomes(passed=1)
    monkeypatch.setenv("PROMPT", "hello")
    result = pytester.runpytest_subprocess("-q", "-k", "default_name")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*no recorded interaction in*test_default_name.pb matches /xai_api.Chat/GetCompletion*",
            "*closest recorded request*",
            "*messages[[]0[]].content[[]0[]].text: 'hi' -> 'hello'*",
        ]
    )


STRICT = """
from xai_sdk.chat import user
import pytest

@pytest.mark.xai_cassette("two_calls")
def test_records_two(xai_client):
    for prompt in ("one", "two"):
        xai_client.chat.create("grok-4", messages=[user(prompt)]).sample()

@pytest.mark.xai_cassette("two_calls")
def test_plays_one(xai_client):
    xai_client.chat.create("grok-4", messages=[user("one")]).sample()

@pytest.mark.xai_cassette("two_calls")
def test_scripted_wins(xai_client, xai_fake_server):
    xai_fake_server.chat.reply("scripted")
    assert xai_client.chat.create("grok-4", messages=[user("one")]).sample().content == "scripted"
    assert xai_client.chat.create("grok-4", messages=[user("two")]).sample().content == "scripted"
"""


def test_strict_all_played_check(pytester: pytest.Pytester, upstream: FakeServer) -> None:
    setup(pytester, STRICT)
    record(pytester, upstream, "-k", "records_two").assert_outcomes(passed=1)
    pytester.runpytest_subprocess("-q", "-k", "plays_one").assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess("-q", "-k", "plays_one", "--xai-cassette-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 recorded interaction(s) of *two_calls.pb were not played*"])


def test_scripted_answers_win_over_the_cassette(pytester: pytest.Pytester, upstream: FakeServer) -> None:
    setup(pytester, STRICT)
    record(pytester, upstream, "-k", "records_two").assert_outcomes(passed=1)
    pytester.runpytest_subprocess("-q", "-k", "scripted_wins").assert_outcomes(passed=1)


def test_bad_record_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    setup(pytester)
    result = pytester.runpytest_subprocess("--xai-record-mode=always")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown record mode 'always'; use one of: none, once, new_episodes, all*"])
    help_text = pytester.runpytest_subprocess("--help").stdout.str()
    for option in ("--xai-record-mode", "--xai-upstream", "--xai-cassette-strict"):
        assert option in help_text
    markers = pytester.runpytest_subprocess("--markers").stdout.str()
    assert "xai_cassette" in markers


def test_marker_without_the_fixture_is_explained(pytester: pytest.Pytester) -> None:
    setup(pytester, "import pytest\n@pytest.mark.xai_cassette\ndef test_no_fixture():\n    pass\n")
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*needs the xai_fake_server fixture*"])


IMAGE_TEST = """
import hashlib, pathlib, pytest

@pytest.mark.xai_cassette("image")
def test_image_url(xai_client):
    response = xai_client.image.sample("a red fox", "grok-2-image", image_format="url")
    data = response.image  # downloaded over HTTP from the URL in the gRPC answer
    assert data.startswith(bytes([0x89]) + b"PNG")
    pathlib.Path("digest.txt").write_text(response.url + " " + hashlib.sha256(data).hexdigest())
"""


def test_http_downloads_are_recorded_next_to_the_grpc_cassette(pytester: pytest.Pytester) -> None:
    setup(pytester, IMAGE_TEST)
    with FakeServer(seed=5) as upstream:
        record(pytester, upstream).assert_outcomes(passed=1)
        recorded = (pytester.path / "digest.txt").read_text()
        assert recorded.split()[0].startswith(upstream.http_url)
    folder = pytester.path / "cassettes" / "test_recorded"
    assert sorted(p.name for p in folder.iterdir()) == ["image.http.yaml", "image.pb"]
    http = (folder / "image.http.yaml").read_text()
    assert "authorization" not in http.lower()
    # The upstream and its HTTP server are gone: both the gRPC answer and the download replay.
    (pytester.path / "digest.txt").unlink()
    pytester.runpytest_subprocess("-q", "--xai-cassette-strict").assert_outcomes(passed=1)
    assert (pytester.path / "digest.txt").read_text() == recorded
