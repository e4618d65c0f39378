"""A recording that cannot be written is refused before its first call, or fails at save in one line, old file intact.

Read-only and full file systems are real ones: tmpfs mounts, when the tests run as root (a
read-only directory is a mode-0o500 directory otherwise, which root could write anyway);
without the rights to mount, those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cassette.conftest import make_upstream, real_keys, recording
from xai_fake import FakeServer
from xai_fake.cassette import CassetteError, load
from xai_fake.cassette.format import CassetteWriteError
from xai_fake.cassette.journal import journal_path, read_journal, recover
from xai_fake.cassette.writable import lock_path
from xai_fake.cli import main
from xai_fake.plugin import AtomicYamlPersister
from xai_sdk.chat import user

ROOT = Path(__file__).parents[2]


def mount_tmpfs(directory: Path, options: str) -> None:
    """Mount a tmpfs on ``directory``, or skip the test saying why it cannot be done."""
    directory.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)], capture_output=True, text=True
        )
    except OSError as exc:
        pytest.skip(f"cannot mount a tmpfs ({options}) to test on a real file system: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({options}) to test on a real file system: {done.stderr.strip()}")


def unmount(directory: Path) -> None:
    subprocess.run(["umount", str(directory)], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB file system."""
    directory = tmp_path / "small"
    mount_tmpfs(directory, "size=64k")
    try:
        yield directory
    finally:
        unmount(directory)


@pytest.fixture
def read_only_directory(tmp_path: Path) -> Iterator[Path]:
    """A directory this process cannot write in: a read-only mount as root, else mode 0o500."""
    directory = tmp_path / "read-only"
    if os.geteuid() != 0:
        directory.mkdir()
        directory.chmod(0o500)
        try:
            yield directory
        finally:
            directory.chmod(0o700)
        return
    mount_tmpfs(directory, "ro,size=1m")
    try:
        yield directory
    finally:
        unmount(directory)


def unwritable(kind: str, tmp_path: Path, read_only: Path | None) -> tuple[Path, str]:
    """A cassette path that cannot be written, and the words its error must say."""
    if kind == "directory":
        path = tmp_path / "a-directory.pb"
        path.mkdir()
        return path, "cannot record it: it is a directory; give the path of a cassette file"
    if kind == "parent is a file":
        (tmp_path / "a-file").write_text("not a directory")
        return tmp_path / "a-file" / "sub" / "c.pb", f"its parent {tmp_path / 'a-file'} is a file, not a directory"
    assert read_only is not None
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    return read_only / "c.pb", f"cannot write in its directory {read_only}: {reason}"


KINDS = ["directory", "parent is a file", "read-only"]


@pytest.fixture
def kind_path(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    read_only = request.getfixturevalue("read_only_directory") if request.param == "read-only" else None
    return unwritable(request.param, tmp_path, read_only)


@pytest.mark.parametrize("kind_path", KINDS, indirect=True)
def test_an_unwritable_cassette_is_refused_before_the_first_call(kind_path: tuple[Path, str]) -> None:
    path, words = kind_path
    with make_upstream() as upstream:
        with pytest.raises(CassetteWriteError, match="cannot") as caught:
            recording(path, upstream)
        assert upstream.requests.count() == 0
    message = str(caught.value)
    assert words in message and str(path) in message and "\n" not in message
    assert not lock_path(path).exists() and not journal_path(path).exists()


@pytest.mark.parametrize("kind_path", KINDS, indirect=True)
def test_xai_fake_record_prints_one_line_and_does_not_serve(
    kind_path: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, words = kind_path
    assert main(["record", "--cassette", str(path), "--upstream", "127.0.0.1:9"]) == 2
    out, err = capsys.readouterr()
    assert out == "", "no export lines: it never served"
    assert err.count("\n") == 1 and err.startswith(f"xai-fake record: cassette '{path}': ")
    assert words in err


TESTS_WITH_BROKEN_FILES = """
import pytest
from xai_sdk.chat import user

@pytest.mark.xai_cassette({path!r})
def test_records(xai_client):
    xai_client.chat.create("grok-4", messages=[user("hi")]).sample()

@pytest.mark.xai_cassette
def test_downloads(xai_client):
    pass
"""


def test_the_pytest_marker_fails_the_test_with_the_one_line(pytester: pytest.Pytester, tmp_path: Path) -> None:
    path = tmp_path / "blocked.pb"  # a directory: cannot be recorded
    path.mkdir()
    pytester.makepyfile(test_broken=TESTS_WITH_BROKEN_FILES.format(path=str(path)))
    http = pytester.path / "cassettes" / "test_broken" / "test_downloads.http.yaml"
    http.parent.mkdir(parents=True)
    http.write_bytes(BROKEN_HTTP["bad YAML"])  # broken: cannot be replayed
    with FakeServer(seed=4) as upstream:
        result = pytester.runpytest_subprocess(
            "-p", "no:randomly", "-n", "0", "--xai-record-mode=all", f"--xai-upstream={upstream.address}", "-rE"
        )
        assert upstream.requests.count() == 0
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_records*",
            f"cassette '{path}': cannot record it: it is a directory; give the path of a cassette file*",
            "*ERROR at setup of test_downloads*",
            f"cassette '{http}': cannot read this HTTP cassette (ParserError: *); restore it from version control*",
        ]
    )
    for unwanted in ("*Traceback*", "*During handling*", "*another exception occurred*"):
        result.stdout.no_fnmatch_line(unwanted)
    assert http.read_bytes() == BROKEN_HTTP["bad YAML"], "never recorded over"


# -- two recorders --------------------------------------------------------------------------------


def test_a_second_recorder_of_the_same_cassette_is_refused_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "shared.pb"
    with make_upstream() as upstream:
        with recording(path, upstream) as first, first.client(**real_keys()) as client:
            client.chat.create("grok-4", messages=[user("first")]).sample()
            with pytest.raises(CassetteWriteError, match=rf"another recorder is writing it: PID {os.getpid()} on "):
                recording(path, upstream)
            with recording(tmp_path / "other.pb", upstream) as other, other.client(**real_keys()) as other_client:
                other_client.chat.create("grok-4", messages=[user("other")]).sample()  # other cassettes: no wait
            client.chat.create("grok-4", messages=[user("first again")]).sample()
        assert len(load(path).interactions) == 2, "the first recording is whole"
        with recording(path, upstream, record_mode="new_episodes") as later, later.client(**real_keys()) as client:
            client.chat.create("grok-4", messages=[user("later")]).sample()  # the lock went with the save
    assert len(load(path).interactions) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.pb", "shared.pb"]


HOLD_THE_LOCK = textwrap.dedent(
    """
    import sys, time
    from xai_fake import FakeServer
    proxy = FakeServer(cassette=sys.argv[2], record_mode="all", upstream=sys.argv[1]).start()
    print("RECORDING", flush=True)
    time.sleep(60)
    """
)


def test_a_recorder_in_another_process_is_named_and_a_killed_one_blocks_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "busy.pb"
    with FakeServer(seed=5) as upstream:
        child = subprocess.Popen(
            [sys.executable, "-c", HOLD_THE_LOCK, upstream.address, str(path)], stdout=subprocess.PIPE, text=True,
            cwd=ROOT,
        )  # fmt: skip
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "RECORDING"
            assert main(["record", "--cassette", str(path), "--upstream", upstream.address]) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1
            assert f"another recorder is writing it: PID {child.pid} on " in err
            assert f"holds {lock_path(path)}" in err
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            child.stdout.close()  # type: ignore[union-attr]
        assert lock_path(path).exists(), "a SIGKILL leaves the lock file behind..."
        with recording(path, upstream) as proxy, proxy.client(api_key="k") as client:  # ...but not the lock
            client.chat.create("grok-4", messages=[user("after the kill")]).sample()
    assert len(load(path).interactions) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy.pb"]


# -- full disk --------------------------------------------------------------------------------------


def test_a_full_disk_at_save_is_one_line_and_the_old_cassette_stays(small_disk: Path) -> None:
    path = small_disk / "full.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("the old recording", times=1)
        with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
            client.chat.create("grok-4", messages=[user("old")]).sample()
        before = path.read_bytes()
        upstream.chat.reply("x" * 30_000, times=1)  # the journal fits; the cassette's temporary copy does not
        # use_cassette, as the pytest plugin does: the server itself stops cleanly after the failed save
        with (
            FakeServer(seed=7) as proxy,
            proxy.client(**real_keys()) as client,
            pytest.raises(CassetteWriteError) as caught,
            proxy.use_cassette(path, record_mode="all", upstream=upstream.address),
        ):
            client.chat.create("grok-4", messages=[user("new")]).sample()
    message = str(caught.value)
    assert message.startswith(f"cassette '{path}': cannot write it: No space left on device; free some space")
    assert "the previous file is intact" in message
    assert f"the recording is kept in {journal_path(path)}" in message and "--recover" in message
    assert "\n" not in message
    assert path.read_bytes() == before, "the previous cassette is intact"
    assert sorted(p.name for p in small_disk.iterdir()) == ["full.pb", "full.pb.journal"], "no temporary file left"
    assert len(read_journal(journal_path(path)).interactions) == 1
    subprocess.run(["mount", "-o", "remount,size=1m", str(small_disk)], check=True)  # space freed
    recovered = recover(path)
    assert recovered is not None and recovered.added == 1
    assert len(load(path).interactions) == 2


def http_cassette(body_size: int) -> dict[str, Any]:
    from vcr.request import Request

    request = Request("GET", "http://127.0.0.1:1/image.png", None, {})
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "x" * body_size}}
    return {"requests": [request], "responses": [response]}


def test_a_full_disk_leaves_the_old_http_yaml_whole(small_disk: Path) -> None:
    from vcr.serializers import yamlserializer

    path = small_disk / "downloads.http.yaml"
    AtomicYamlPersister.save_cassette(path, http_cassette(10), yamlserializer)
    before = path.read_bytes()
    with pytest.raises(CassetteWriteError, match=r"downloads\.http\.yaml': cannot write this HTTP cassette: No space"):
        AtomicYamlPersister.save_cassette(path, http_cassette(100_000), yamlserializer)
    assert path.read_bytes() == before
    assert [p.name for p in small_disk.iterdir()] == ["downloads.http.yaml"], "no temporary file left"
    requests, responses = AtomicYamlPersister.load_cassette(path, yamlserializer)
    assert len(requests) == len(responses) == 1


# -- broken .http.yaml ------------------------------------------------------------------------------

BROKEN_HTTP = {
    "bad YAML": b"interactions: [\n  - {request: ",
    "a list": b"- 1\n- 2\n",
    "no interactions": b"version: 1\n",
    "no request": b"version: 1\ninteractions:\n- response: {}\n",
    "not UTF-8": b"version: 1\n\xff\xfe\n",
    "a YAML tag": b"version: 1\ninteractions: !!python/object:os.system {}\n",
}


@pytest.mark.parametrize("kind", sorted(BROKEN_HTTP))
def test_a_broken_http_yaml_is_an_error_naming_the_file(tmp_path: Path, kind: str) -> None:
    from vcr.serializers import yamlserializer

    path = tmp_path / "broken.http.yaml"
    path.write_bytes(BROKEN_HTTP[kind])
    with pytest.raises(CassetteError, match=rf"^cassette '{path}': cannot read this HTTP cassette") as caught:
        AtomicYamlPersister.load_cassette(path, yamlserializer)
    assert "\n" not in str(caught.value)


def test_a_directory_as_http_yaml_is_an_error_naming_it(tmp_path: Path) -> None:
    from vcr.serializers import yamlserializer

    path = tmp_path / "dir.http.yaml"
    path.mkdir()
    with pytest.raises(CassetteError, match=rf"cassette '{path}': cannot read it: it is a directory"):
        AtomicYamlPersister.load_cassette(path, yamlserializer)
