"""``xai-fake cassette show|redact|check``: readable output without secrets, atomic rewrites, exit codes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cassette.format_samples import PROMPT, SECRET, client_metadata, record_sample, sample_server, sealed_bytes
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import FORMAT_VERSION, REDACTED, load, save, unpack
from xai_fake.cli import main


@pytest.fixture(scope="module")
def sample() -> Iterator[cassette_pb2.Cassette]:
    with sample_server() as fake:
        yield record_sample(fake, client_metadata())


@pytest.fixture
def leaky(tmp_path: Path, sample: cassette_pb2.Cassette) -> Path:
    """A cassette written (and sealed) by some other tool, secrets and all (bypassing save())."""
    path = tmp_path / "leaky.pb"
    path.write_bytes(sealed_bytes(sample))
    assert SECRET.encode() in path.read_bytes()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_prints_decoded_messages_and_no_secrets(capsys: pytest.CaptureFixture[str], leaky: Path) -> None:
    code, out, err = run(capsys, "cassette", "show", str(leaky))
    assert code == 0, err
    assert "[type.googleapis.com/xai_api.GetCompletionsRequest] {" in out
    assert f'text: "{PROMPT}"' in out
    assert 'method: "/xai_api.Files/UploadFile"' in out
    assert SECRET not in out
    assert f'text: "{REDACTED}"' in out


def test_show_of_a_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "cassette", "show", str(tmp_path / "absent.pb"))
    assert code == 1
    assert out == ""
    assert "absent.pb" in err and "no such file" in err


def test_redact_rewrites_the_file_in_place(capsys: pytest.CaptureFixture[str], leaky: Path) -> None:
    code, _, err = run(
        capsys, "cassette", "redact", str(leaky),
        "--redact-field", "xai_api.GetCompletionsRequest.user",
        "--redact-field", "xai_api.RequestSettings.user",  # the response echoes it
        "--drop-metadata", "x-client",
    )  # fmt: skip
    assert code == 0, err
    assert "wrote" in err and "5 interactions" in err
    data = leaky.read_bytes()
    assert SECRET.encode() not in data
    assert b"alice@example.com" not in data
    assert b"x-client" not in data
    cassette = load(leaky)
    assert unpack(cassette.interactions[0].requests[0]).user == REDACTED  # type: ignore[attr-defined]
    assert sorted(p.name for p in leaky.parent.iterdir()) == ["leaky.pb"]  # no temp file left


def test_redact_to_another_file_and_encoding(capsys: pytest.CaptureFixture[str], leaky: Path) -> None:
    before = leaky.read_bytes()
    output = leaky.parent / "clean.txtpb"
    code, _, err = run(capsys, "cassette", "redact", str(leaky), "-o", str(output))
    assert code == 0, err
    assert leaky.read_bytes() == before
    assert SECRET not in output.read_text()
    assert "[type.googleapis.com/xai_api.UploadFileChunk]" in output.read_text()


def test_redact_with_a_bad_field_path(capsys: pytest.CaptureFixture[str], leaky: Path) -> None:
    code, _, err = run(capsys, "cassette", "redact", str(leaky), "--drop-field", "xai_api.GetCompletionsRequest.usr")
    assert code == 2
    assert "did you mean 'xai_api.GetCompletionsRequest.user'" in err


def test_check_a_good_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    good = save(sample, tmp_path / "good.pb")
    text = save(sample, tmp_path / "good.txtpb")
    code, out, err = run(capsys, "cassette", "check", str(good), str(text))
    assert code == 0, err
    assert f"{good}: ok (format {FORMAT_VERSION}, 5 interactions), checksum verified" in out
    assert f"{text}: ok" in out


def test_check_a_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    good = save(sample, tmp_path / "good.pb")
    bad = tmp_path / "bad.pb"
    bad.write_bytes(good.read_bytes()[:-9])
    code, out, err = run(capsys, "cassette", "check", str(good), str(bad))
    assert code == 1
    assert f"{good}: ok" in out
    assert str(bad) in err and "truncated or corrupt" in err


def test_check_finds_unredacted_credentials(capsys: pytest.CaptureFixture[str], leaky: Path) -> None:
    code, _, err = run(capsys, "cassette", "check", str(leaky))
    assert code == 1
    assert "unredacted credentials (interaction 1: authorization" in err
    assert "set-cookie" in err
    assert f"xai-fake cassette redact {leaky}" in err
    assert SECRET not in err
    assert run(capsys, "cassette", "redact", str(leaky))[0] == 0
    assert run(capsys, "cassette", "check", str(leaky))[0] == 0


def test_the_console_command(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    good = save(sample, tmp_path / "good.pb")
    bad = tmp_path / "future.pb"
    bad.write_bytes(cassette_pb2.Cassette(format_version=99).SerializeToString())
    command = [sys.executable, "-m", "xai_fake", "cassette"]
    result = subprocess.run([*command, "check", str(good)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([*command, "check", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "format version 99 is newer" in result.stderr
    result = subprocess.run([*command, "show", str(good)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert PROMPT in result.stdout
    result = subprocess.run([*command], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "show" in result.stderr and "redact" in result.stderr and "check" in result.stderr
