"""A killed recording leaves the previous cassette intact; concurrent recorders corrupt nothing; no secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.cassette.conftest import SECRET_KEY, SECRET_MANAGEMENT_KEY, make_upstream, real_keys, recording
from xai_fake import FakeServer
from xai_fake.cassette import load, to_text
from xai_fake.cassette.journal import journal_path, read_journal
from xai_sdk.chat import user

RECORD_THEN_HANG = textwrap.dedent(
    """
    import sys, time
    from xai_fake import FakeServer
    from xai_sdk.chat import user
    upstream_address, path = sys.argv[1], sys.argv[2]
    proxy = FakeServer(cassette=path, record_mode="all", upstream=upstream_address).start()
    with proxy.client(api_key="k") as client:
        for prompt in ("one", "two", "three"):
            client.chat.create("grok-4", messages=[user(prompt)]).sample()
    print("RECORDED", flush=True)
    time.sleep(60)
    """
)


def test_sigkill_during_recording_keeps_the_old_cassette(tmp_path: Path) -> None:
    path = tmp_path / "durable.pb"
    with make_upstream() as upstream:
        upstream.chat.reply("the old recording", times=1)
        with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
            client.chat.create("grok-4", messages=[user("old")]).sample()
        before = path.read_bytes()

        relaxed = FakeServer(seed=1).start()  # accepts any key, like the subprocess sends
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", RECORD_THEN_HANG, relaxed.address, str(path)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).parents[2],
            )
            try:
                assert child.stdout is not None
                assert child.stdout.readline().strip() == "RECORDED"
                assert relaxed.requests.count() == 3
                os.kill(child.pid, signal.SIGKILL)
            finally:
                child.kill()
                child.wait(timeout=30)
                child.stdout.close()  # type: ignore[union-attr]
        finally:
            relaxed.stop()
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert len(load(path).interactions) == 1
    # No temporary file is left behind; the journal holds the killed session's calls, to recover.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["durable.pb", "durable.pb.journal", "durable.pb.lock"]
    assert len(read_journal(journal_path(path)).interactions) == 3


XDIST_TESTS = """
import pytest
from xai_sdk.chat import user

@pytest.mark.xai_cassette
@pytest.mark.parametrize("n", range(6))
def test_own(xai_client, n):
    assert xai_client.chat.create("grok-4", messages=[user(f"own {n}")]).sample().content

@pytest.mark.xai_cassette("shared")
@pytest.mark.parametrize("n", range(6))
def test_shared(xai_client, n):
    assert xai_client.chat.create("grok-4", messages=[user("shared")]).sample().content
"""


def test_concurrent_recorders_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_xdist_record=XDIST_TESTS)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    with FakeServer(seed=2) as upstream:
        result = pytester.runpytest_subprocess(
            "-n", "2", "-q", "--xai-record-mode=all", f"--xai-upstream={upstream.address}"
        )
        result.assert_outcomes(passed=12)
        assert upstream.requests.count() == 12
    directory = pytester.path / "cassettes" / "test_xdist_record"
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted([f"test_own[{n}].pb" for n in range(6)] + ["shared.pb"])
    for path in directory.iterdir():
        assert len(load(path).interactions) == 1, path
    result = pytester.runpytest_subprocess("-q", "-k", "own")  # they replay (in one process: no workers to start)
    result.assert_outcomes(passed=6)


@pytest.mark.parametrize("suffix", [".pb", ".txtpb"])
def test_the_keys_appear_nowhere_in_the_cassette(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"secret{suffix}"
    with make_upstream() as upstream:
        upstream.chat.reply("fine", times=1)
        with (
            recording(path, upstream) as proxy,
            proxy.client(**real_keys(), metadata=[("x-api-key", SECRET_KEY), ("x-trace", "kept")]) as client,
        ):
            client.chat.create("grok-4", messages=[user("hi")]).sample()
            client.collections.list()
            client.files.upload(b"data", filename="a.txt")
        assert upstream.requests.count() == 3, "the upstream accepted the real keys"
    data = path.read_bytes()
    for secret in (SECRET_KEY, SECRET_MANAGEMENT_KEY):
        for encoded in (secret.encode(), secret.encode("utf-16-le"), secret[8:].encode()):
            assert encoded not in data
        assert secret not in to_text(load(path))
    assert "x-trace" in to_text(load(path)), "ordinary metadata is kept"
    methods = [i.method for i in load(path).interactions]
    assert methods == [
        "/xai_api.Chat/GetCompletion",
        "/collections.Collections/ListCollections",
        "/xai_api.Files/UploadFile",
    ]
