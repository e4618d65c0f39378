"""The pytest side of cassettes, in separate pytest runs (pytester, in this process) against a local upstream."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr  # noqa: F401 - loaded here, so that in-process runs never import yaml's C extension twice

from xai_fake import FakeServer
from xai_fake.cassette import load, unpack

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

INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture
def upstream() -> Iterator[FakeServer]:
    with FakeServer(seed=3) as server:
        server.chat.reply("from upstream")
        yield server


def setup(pytester: pytest.Pytester, source: str = TESTS, name: str = "test_recorded") -> None:
    pytester.makepyfile(**{name: source})
    pytester.makeini(INI)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A pytest run in this process (a subprocess costs a second more, for the interpreter and imports)."""
    return pytester.runpytest("-q", "-p", "no:cacheprovider", *args)


def record(pytester: pytest.Pytester, upstream: FakeServer, *args: str, mode: str = "once") -> pytest.RunResult:
    return run(pytester, f"--xai-record-mode={mode}", f"--xai-upstream={upstream.address}", *args)


def prompts(path: Path) -> list[str]:
    """The first user text of each recorded chat request."""
    return [unpack(i.requests[0]).messages[0].content[0].text for i in load(path).interactions]  # type: ignore[attr-defined]


def test_record_then_replay_with_default_paths(pytester: pytest.Pytester, upstream: FakeServer) -> None:
    setup(pytester)
    record(pytester, upstream).assert_outcomes(passed=3)
    assert upstream.requests.count() == 3
    folder = pytester.path / "cassettes" / "test_recorded"
    assert sorted(p.name for p in folder.iterdir()) == ["custom_name.pb", "test_async.pb", "test_default_name.pb"]
    assert [i.method for i in load(folder / "test_default_name.pb").interactions] == ["/xai_api.Chat/GetCompletion"]
    upstream.requests.clear()
    # Default mode: none. Replays offline (the upstream is not asked), ignore_fields from the marker apply.
    run(pytester, "--xai-cassette-strict").assert_outcomes(passed=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEED", "7")
        run(pytester, "-k", "named").assert_outcomes(passed=1)
    assert upstream.requests.count() == 0


def test_default_mode_never_records(pytester: pytest.Pytester) -> None:
    setup(pytester)
    result = run(pytester, "-k", "default_name")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*does not exist*", "*test_default_name.pb*"])
    assert not (pytester.path / "cassettes").exists()


def no_ci_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset ``CI``/``BUILD_NUMBER``: on CI pytest prints whole failure messages in the short summary too."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)


def test_a_miss_fails_the_test_with_the_closest_request_diff(
    pytester: pytest.Pytester, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester)
    record(pytester, upstream, "-k", "default_name").assert_outcomes(passed=1)
    monkeypatch.setenv("PROMPT", "hello")
    monkeypatch.setenv("COLUMNS", "400")  # the summary line is cut to the terminal's width
    no_ci_mode(monkeypatch)
    result = run(pytester, "-k", "default_name", "-rf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*no recorded interaction in*test_default_name.pb matches /xai_api.Chat/GetCompletion*",
            "*closest recorded request*",
            "*messages[[]0[]].content[[]0[]].text: 'hi' -> 'hello'*",
        ]
    )
    # The summary line names the cause, and the explanation is printed once (not also as the gRPC error).
    result.stdout.fnmatch_lines(["FAILED *test_default_name - Failed: xai_cassette miss: *differs*'hi' -> 'hello'*"])
    assert result.stdout.str().count("closest recorded request") == 1


def test_a_missing_cassette_is_told_once_with_its_cause_in_the_summary(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester)
    monkeypatch.setenv("COLUMNS", "400")
    no_ci_mode(monkeypatch)
    result = run(pytester, "-k", "default_name", "-rf")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert output.count("no recorded interaction in") == 1, output
    assert "During handling of the above exception" not in output
    result.stdout.fnmatch_lines(
        [
            "FAILED *test_default_name - Failed: xai_cassette miss: cassettes/test_recorded/test_default_name.pb "
            "does not exist; record it with --xai-record-mode=once"
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


def test_strict_all_played_check_and_scripts_win(pytester: pytest.Pytester, upstream: FakeServer) -> None:
    setup(pytester, STRICT)
    record(pytester, upstream, "-k", "records_two").assert_outcomes(passed=1)
    run(pytester, "-k", "plays_one or scripted_wins").assert_outcomes(passed=2)
    result = run(pytester, "-k", "plays_one", "--xai-cassette-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 recorded interaction(s) of *two_calls.pb were not played*"])


def test_bad_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    setup(pytester)
    result = run(pytester, "--xai-record-mode=always")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown record mode 'always'; use one of: none, once, new_episodes, all, rewrite*"])
    result = run(pytester, "--xai-upstream=bad host:xx")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--xai-upstream: upstream 'bad host:xx': 'bad host' is not a host name*"])
    help_text = run(pytester, "--help").stdout.str()
    for option in ("--xai-record-mode", "--xai-upstream", "--xai-cassette-strict", "--xai-block-network"):
        assert option in help_text
    assert "xai_block_network" in help_text
    markers = run(pytester, "--markers").stdout.str()
    assert "xai_cassette" in markers
    assert "xai_live" in markers


def test_marker_without_the_fixture_is_explained(pytester: pytest.Pytester) -> None:
    setup(pytester, "import pytest\n@pytest.mark.xai_cassette\ndef test_no_fixture():\n    pass\n")
    result = run(pytester)
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
    run(pytester, "--xai-cassette-strict").assert_outcomes(passed=1)
    assert (pytester.path / "digest.txt").read_text() == recorded


def test_without_vcrpy_http_downloads_are_not_skipped_silently(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester, IMAGE_TEST)
    monkeypatch.setitem(sys.modules, "vcr", None)  # `import vcr` now fails, as without vcrpy installed
    folder = pytester.path / "cassettes" / "test_recorded"
    folder.mkdir(parents=True)
    (folder / "image.http.yaml").write_text("interactions: []\nversion: 1\n")
    result = run(pytester)  # replay: the recorded downloads cannot be played
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*image.http.yaml holds this test's recorded HTTP downloads*vcrpy is not installed*"])
    (folder / "image.http.yaml").unlink()
    with FakeServer(seed=5) as upstream:  # recording: says that the downloads go out unrecorded
        result = record(pytester, upstream, "-W", "always::xai_fake.plugin.HttpNotRecordedWarning")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*HttpNotRecordedWarning: vcrpy is not installed: HTTP downloads*"])


# -- where cassettes live: pytest-recording's layout ------------------------------------------------

SAME_STEM = """
import os, pytest
from xai_sdk.chat import user

@pytest.mark.xai_cassette
def test_call(xai_client):
    folder = os.path.basename(os.path.dirname(__file__))
    assert xai_client.chat.create("grok-4", messages=[user(folder)]).sample().content == "from upstream"
"""


def test_same_named_modules_in_different_folders_keep_their_cassettes_apart(
    pytester: pytest.Pytester, upstream: FakeServer
) -> None:
    pytester.mkpydir("suite")  # not "tests": this process has imported a package of that name
    for folder in ("unit", "integration"):
        pytester.mkpydir(f"suite/{folder}")
        (pytester.path / "suite" / folder / "test_api.py").write_text(SAME_STEM)
    pytester.makeini(INI)
    record(pytester, upstream).assert_outcomes(passed=2)
    for folder in ("unit", "integration"):
        cassette = pytester.path / "suite" / folder / "cassettes" / "test_api" / "test_call.pb"
        assert prompts(cassette) == [folder]
    assert not (pytester.path / "cassettes").exists()
    run(pytester, "--xai-cassette-strict").assert_outcomes(passed=2)


LAYOUT = """
import os, random, pytest
from xai_sdk.chat import user

pytestmark = pytest.mark.xai_cassette(ignore_fields=["seed"])

def ask(client, prompt):
    chat = client.chat.create("grok-4", messages=[user(prompt)], seed=random.randrange(1 << 30))
    return chat.sample().content

@pytest.mark.xai_cassette(allow_playback_repeats=True)
class TestMerged:
    @pytest.mark.xai_cassette("named")
    def test_named(self, xai_client):
        assert ask(xai_client, "named") == ask(xai_client, "named") == "from upstream"

    @pytest.mark.xai_cassette
    @pytest.mark.parametrize("n", [1])
    def test_default(self, xai_client, n):
        assert ask(xai_client, "default") == ask(xai_client, "default") == "from upstream"
"""


def test_names_follow_pytest_recording_and_class_and_function_markers_merge(
    pytester: pytest.Pytester, upstream: FakeServer
) -> None:
    setup(pytester, LAYOUT, "test_layout")
    record(pytester, upstream).assert_outcomes(passed=2)
    folder = pytester.path / "cassettes" / "test_layout"
    assert sorted(p.name for p in folder.iterdir()) == ["TestMerged.test_default[1].pb", "named.pb"]
    upstream.requests.clear()
    # Replayed with new random seeds (the module's ignore_fields) twice each (the class's allow_playback_repeats).
    run(pytester, "--xai-cassette-strict").assert_outcomes(passed=2)
    assert upstream.requests.count() == 0


CONFIGURED = """
import os, pytest
from xai_sdk.chat import user

@pytest.mark.xai_cassette(match_on=["method", "same_model"])
def test_hooked(xai_client):
    chat = xai_client.chat.create("grok-4", messages=[user(os.environ.get("PROMPT", "hi"))], user="alice@example.com")
    assert chat.sample().content == "from upstream"
"""

CONFTEST = """
import pytest

@pytest.fixture
def xai_cassette_config():
    return {"allow_playback_repeats": True}

@pytest.fixture(scope="module")
def xai_cassette_dir(request):
    return request.config.rootpath / "recorded"

def same_model(recorded, live):
    return recorded.requests[0].model == live.requests[0].model

def pytest_xai_fake_configure(config, registry):
    registry.register_matcher("same_model", same_model)
    # The user id travels in the request, and back in the response's settings.
    registry.add_redactor(redact_fields=["xai_api.GetCompletionsRequest.user", "xai_api.RequestSettings.user"])
"""


def test_overridable_fixtures_and_the_configure_hook(
    pytester: pytest.Pytester, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(CONFTEST)
    setup(pytester, CONFIGURED, "test_configured")
    record(pytester, upstream).assert_outcomes(passed=1)
    path = pytester.path / "recorded" / "test_hooked.pb"  # xai_cassette_dir, overridden
    assert "alice@example.com" not in path.read_bytes().decode("latin-1"), "the hook's redactor applied"
    monkeypatch.setenv("PROMPT", "another prompt")  # only the model is compared: the hook's matcher
    run(pytester).assert_outcomes(passed=1)


REWRITE = """
import os, pytest
from xai_sdk.chat import user

@pytest.mark.xai_cassette
def test_calls(xai_client):
    for n in range(int(os.environ["CALLS"])):
        xai_client.chat.create("grok-4", messages=[user(f"call {n}")]).sample()
"""


def test_rewrite_mode_records_from_scratch(
    pytester: pytest.Pytester, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester, REWRITE)
    path = pytester.path / "cassettes" / "test_recorded" / "test_calls.pb"
    monkeypatch.setenv("CALLS", "2")
    record(pytester, upstream, mode="once").assert_outcomes(passed=1)
    monkeypatch.setenv("CALLS", "1")
    record(pytester, upstream, mode="rewrite").assert_outcomes(passed=1)
    assert prompts(path) == ["call 0"]
    monkeypatch.setenv("CALLS", "0")  # nothing recorded: the cassette holds exactly that, so it goes
    record(pytester, upstream, mode="rewrite").assert_outcomes(passed=1)
    assert not path.exists()


UNREACHABLE = """
import pytest
from xai_sdk import Client
from xai_sdk.chat import user

@pytest.mark.xai_cassette
def test_records(xai_fake_server):
    # Retries off, so the test fails after one attempt instead of five.
    with Client(channel_options=[("grpc.enable_retries", 0)]) as client:
        client.chat.create("grok-4", messages=[user("hi")]).sample()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_upstream_writes_nothing_and_the_test_says_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(pytester, UNREACHABLE)
    monkeypatch.setenv("COLUMNS", "400")
    closed = f"127.0.0.1:{free_port()}"  # nothing listens there
    path = pytester.path / "cassettes" / "test_recorded" / "test_records.pb"
    result = run(pytester, "--xai-record-mode=once", f"--xai-upstream={closed}", "-rf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"FAILED *test_records - Failed: xai_cassette recording failed: the upstream {closed} could not be "
            "reached (UNAVAILABLE: *); nothing was written to cassettes/test_recorded/test_records.pb",
        ]
    )
    assert not path.exists(), "the proxy's own failure is never written as if the API had answered"
    # rewrite: the old cassette stays as it was when the new recording cannot reach the upstream
    path.parent.mkdir(parents=True)
    path.write_bytes(b"previous recording")
    run(pytester, "--xai-record-mode=rewrite", f"--xai-upstream={closed}").assert_outcomes(failed=1)
    assert path.read_bytes() == b"previous recording"


MOVED = """
import pytest

@pytest.mark.xai_cassette
def test_old(xai_client):
    pass
"""


def test_a_cassette_in_the_old_place_gets_a_migration_message(pytester: pytest.Pytester) -> None:
    pytester.mkpydir("suite")
    (pytester.path / "suite" / "test_moved.py").write_text(MOVED)
    pytester.makeini(INI)
    old = pytester.path / "cassettes" / "test_moved" / "test_old.pb"  # where 0.1 put it: <rootdir>/cassettes/...
    old.parent.mkdir(parents=True)
    old.write_bytes(b"")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*xai_cassette moved: cassettes/test_moved/test_old.pb is now looked for at "
            "suite/cassettes/test_moved/test_old.pb*",
            "*mkdir -p suite/cassettes/test_moved && git mv cassettes/test_moved/test_old.pb "
            "suite/cassettes/test_moved/test_old.pb*",
        ]
    )
