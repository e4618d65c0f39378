"""The committed sample cassettes in cassettes/samples/ load, replay, and are what the script records."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from xai_fake import FakeServer
from xai_fake.cassette import load
from xai_sdk.chat import user

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "cassettes" / "samples"


def recorder_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "record_sample_cassettes", ROOT / "scripts" / "record_sample_cassettes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = recorder_script()


def replay_all(directory: Path) -> tuple[str, list[str], tuple[str, int]]:
    with FakeServer(cassette=directory / "chat_sample.pb") as fake, fake.client() as client:
        answer = client.chat.create("grok-4", messages=[user(SCRIPT.CAPITAL_QUESTION)]).sample().content
    with FakeServer(cassette=directory / "chat_stream.txtpb") as fake, fake.client() as client:
        chat = client.chat.create("grok-4", messages=[user(SCRIPT.HAIKU_QUESTION)])
        pieces = [chunk.content for _, chunk in chat.stream() if chunk.content]
    with FakeServer(cassette=directory / "file_upload.pb") as fake, fake.client() as client:
        uploaded = client.files.upload(SCRIPT.UPLOAD_DATA, filename=SCRIPT.UPLOAD_NAME)
    return answer, pieces, (uploaded.filename, uploaded.size)


def test_committed_samples_replay() -> None:
    answer, pieces, upload = replay_all(SAMPLES)
    assert answer == SCRIPT.CAPITAL_ANSWER
    assert pieces == SCRIPT.HAIKU_CHUNKS
    assert upload == (SCRIPT.UPLOAD_NAME, len(SCRIPT.UPLOAD_DATA))


def test_the_text_sample_is_readable() -> None:
    text = (SAMPLES / "chat_stream.txtpb").read_text()
    assert "streams of protobuf flowing" in text and "<redacted>" in text
    assert SCRIPT.KEY not in text


@pytest.mark.parametrize("name", ["chat_sample.pb", "chat_stream.txtpb", "file_upload.pb"])
def test_the_script_records_the_same_interactions(tmp_path: Path, name: str) -> None:
    SCRIPT.record(tmp_path)
    fresh, committed = load(tmp_path / name), load(SAMPLES / name)
    assert [i.method for i in fresh.interactions] == [i.method for i in committed.interactions]
    for new, old in zip(fresh.interactions, committed.interactions, strict=True):
        assert [r.body for r in new.requests] == [r.body for r in old.requests]
        assert len(new.responses) == len(old.responses)  # bodies differ in ids and timestamps
        assert new.status_code == old.status_code
    assert SCRIPT.KEY.encode() not in (tmp_path / name).read_bytes()


@pytest.mark.parametrize("argument", ["--help-me", "missing-folder"])
def test_the_script_refuses_what_is_not_a_folder_and_writes_nothing(
    tmp_path: Path, argument: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        SCRIPT.main([argument])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "unrecognized arguments" in error or "is not a directory" in error, error
    assert list(tmp_path.iterdir()) == []
