"""The cassette file format: lossless binary <-> text, atomic writes, clear load errors, migrations, fuzzing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import any_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cassette.format_samples import PROMPT, SECRET, client_metadata, record_sample, sample_server, sealed_bytes
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import (
    FORMAT_VERSION,
    MIGRATIONS,
    CassetteError,
    CassetteWarning,
    dumps,
    load,
    loads,
    new_cassette,
    pack,
    redact_credentials,
    save,
    to_text,
    unpack,
)
from xai_sdk.proto import chat_pb2, files_pb2

FUZZ = settings(
    max_examples=150, deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)


@pytest.fixture(scope="module")
def sample() -> Iterator[cassette_pb2.Cassette]:
    """Unary, streaming, client-streaming and failing calls recorded from a real fake, with metadata and timing."""
    with sample_server() as fake:
        yield record_sample(fake, client_metadata())


@pytest.fixture(scope="module")
def sample_bytes(sample: cassette_pb2.Cassette) -> bytes:
    return dumps(sample)


def expected(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
    """What a save writes: the same cassette, credentials redacted, interactions counted."""
    copy = cassette_pb2.Cassette()
    copy.CopyFrom(cassette)
    copy.interaction_count = len(copy.interactions)
    for interaction in copy.interactions:
        redact_credentials(interaction)
    return copy


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --- round trips ------------------------------------------------------------------------------------------


def test_sample_covers_every_call_kind_metadata_and_timing(sample: cassette_pb2.Cassette) -> None:
    methods = [(i.method, i.status_code, len(i.requests), len(i.responses)) for i in sample.interactions]
    assert methods[0] == ("/xai_api.Chat/GetCompletion", 0, 1, 1)
    assert methods[1][:3] == ("/xai_api.Chat/GetCompletionChunk", 0, 1) and methods[1][3] > 2
    assert methods[2] == ("/xai_api.Files/UploadFile", 0, 3, 1)
    assert methods[3] == ("/xai_api.Chat/GetCompletionChunk", 13, 1, 2)  # INTERNAL after 2 chunks
    assert methods[4] == ("/xai_api.Chat/GetCompletion", 8, 1, 0)  # RESOURCE_EXHAUSTED
    kinds = {m.WhichOneof("value") for i in sample.interactions for m in (*i.request_metadata, *i.trailing_metadata)}
    assert kinds == {"text", "binary"}
    assert sample.interactions[1].responses[-1].offset.ToNanoseconds() > 0


@pytest.mark.parametrize("suffix", [".pb", ".cassette", ".txtpb", ".textproto", ".txt"])
def test_save_then_load_gives_the_same_cassette(tmp_path: Path, sample: cassette_pb2.Cassette, suffix: str) -> None:
    path = save(sample, tmp_path / f"calls{suffix}")
    assert load(path) == expected(sample)


def test_binary_to_text_to_binary_is_byte_identical(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    binary = save(sample, tmp_path / "a.pb")
    text = save(load(binary), tmp_path / "a.txtpb")
    again = save(load(text), tmp_path / "b.pb")
    assert again.read_bytes() == binary.read_bytes()
    assert save(load(again), tmp_path / "b.txtpb").read_text() == text.read_text()


def test_text_format_shows_decoded_messages(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    text = save(sample, tmp_path / "a.txtpb").read_text()
    assert text.startswith("# proto-file: protos/xai_fake/cassette/v1/cassette.proto\n")
    assert "[type.googleapis.com/xai_api.GetCompletionsRequest] {" in text
    assert "[type.googleapis.com/xai_api.UploadFileChunk] {" in text
    assert f'text: "{PROMPT}"' in text
    assert 'name: "notes.txt"' in text
    assert 'binary: "\\000\\001\\376\\377"' in text
    assert "status_code: 13" in text
    assert "value:" not in text  # no body left as raw bytes


def test_a_body_text_cannot_hold_stays_raw_and_still_round_trips(tmp_path: Path) -> None:
    # A newer API may send fields our protos lack: text format cannot hold them, so the body stays raw.
    known = chat_pb2.GetChatCompletionResponse(id="r1", model="grok-4").SerializeToString()
    unknown_field_999 = b"\xb8\x3e\x2a"  # field 999, varint 42
    cassette = new_cassette()
    interaction = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
    interaction.responses.add().body.CopyFrom(
        any_pb2.Any(type_url="type.googleapis.com/xai_api.GetChatCompletionResponse", value=known + unknown_field_999)
    )
    interaction.requests.append(pack(chat_pb2.GetCompletionsRequest(model="grok-4")))
    text = save(cassette, tmp_path / "a.txtpb")
    assert 'type_url: "type.googleapis.com/xai_api.GetChatCompletionResponse" value: "' in text.read_text()
    assert "[type.googleapis.com/xai_api.GetCompletionsRequest]" in text.read_text()
    assert load(text).interactions[0].responses[0].body.value == known + unknown_field_999
    assert dumps(load(text)) == dumps(cassette)


def test_save_does_not_modify_the_callers_cassette(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    before = sample.SerializeToString()
    save(sample, tmp_path / "a.pb")
    assert sample.SerializeToString() == before
    assert any(m.text == f"Bearer {SECRET}" for m in sample.interactions[0].request_metadata)


def test_save_creates_directories_and_stamps_the_version(tmp_path: Path) -> None:
    cassette = cassette_pb2.Cassette()  # no version, no tool
    path = save(cassette, tmp_path / "cassettes" / "test_module" / "test_name.pb")
    loaded = load(path)
    assert loaded.format_version == FORMAT_VERSION
    assert loaded.created_by.startswith("xai-devkit ")


def test_pack_and_unpack(sample: cassette_pb2.Cassette) -> None:
    request = chat_pb2.GetCompletionsRequest(model="grok-4", user="u")
    recorded = pack(request, 1.5)
    assert recorded.offset.ToNanoseconds() == 1_500_000_000
    assert recorded.body.type_url == "type.googleapis.com/xai_api.GetCompletionsRequest"
    unpacked = unpack(recorded)
    assert type(unpacked) is chat_pb2.GetCompletionsRequest
    assert unpacked == request
    assert unpack(recorded.body) == request
    assert isinstance(unpack(sample.interactions[2].requests[0]), files_pb2.UploadFileChunk)
    with pytest.raises(ValueError, match="offset_seconds must be >= 0"):
        pack(request, -1)
    with pytest.raises(CassetteError, match=r"message type 'nope\.Missing', unknown to xai-devkit"):
        unpack(any_pb2.Any(type_url="type.googleapis.com/nope.Missing"))


# --- atomic writes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_crash_mid_write_leaves_the_previous_file_and_no_temp_file(
    tmp_path: Path, sample: cassette_pb2.Cassette, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = save(new_cassette(), tmp_path / "calls.pb")
    previous = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":

        class Exploding:
            def __init__(self, *args: object, **kwargs: object) -> None:
                pass

            def __enter__(self) -> Exploding:
                return self

            def __exit__(self, *exc: object) -> None:
                pass

            def write(self, data: bytes) -> None:
                crash()

        monkeypatch.setattr(os, "fdopen", Exploding)
    else:
        monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="No space left"):
        save(sample, path)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert temp_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.pb"]


def test_save_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = save(new_cassette(), tmp_path / "calls.pb")
    path.chmod(0o640)
    save(new_cassette(), path)
    assert path.stat().st_mode & 0o777 == 0o640


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from xai_fake.cassette import load, save
    cassette = load(sys.argv[1])
    for interaction in list(cassette.interactions) * 400:
        cassette.interactions.append(interaction)
    print("ready", flush=True)
    while True:
        save(cassette, sys.argv[1])
    """
)


def test_sigkill_during_saves_never_leaves_a_broken_file(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    path = save(sample, tmp_path / "calls.pb")
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert len(load(path).interactions) in {len(sample.interactions), len(sample.interactions) * 401}


# --- load errors ------------------------------------------------------------------------------------------


def assert_error(path: Path, *reason: str) -> CassetteError:
    with pytest.raises(CassetteError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    for part in reason:
        assert part in message, message
    assert caught.value.path == path
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    assert_error(tmp_path / "absent.pb", "no such file", "record")


def test_a_directory_is_not_a_cassette(tmp_path: Path) -> None:
    assert_error(tmp_path, "cannot read it")


@pytest.mark.parametrize("name", ["empty.pb", "empty.txtpb"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"" if name.endswith(".pb") else b"  \n")
    assert_error(tmp_path / name, "the file is empty", "re-record")


def test_truncated_file(tmp_path: Path, sample_bytes: bytes) -> None:
    path = tmp_path / "cut.pb"
    path.write_bytes(sample_bytes[: len(sample_bytes) - 7])
    assert_error(path, "not a valid binary cassette: truncated or corrupt", "re-record it, or restore it")


def test_bit_flip_in_a_tag_is_reported_as_corrupt(tmp_path: Path, sample_bytes: bytes) -> None:
    path = tmp_path / "flipped.pb"
    assert sample_bytes[0] == 0x08  # field 1 (format_version), varint
    path.write_bytes(bytes([sample_bytes[0] | 0x07]) + sample_bytes[1:])  # wire type 7 does not exist
    assert_error(path, "truncated or corrupt")


def test_bit_flip_making_an_unknown_field_is_reported_as_corrupt(tmp_path: Path, sample_bytes: bytes) -> None:
    path = tmp_path / "flipped.pb"
    assert sample_bytes[2] == 0x12  # field 2 (created_by), length-delimited
    flipped = sample_bytes[:2] + bytes([0x12 | 0x40]) + sample_bytes[3:]  # field 2 -> field 10: not in the format
    path.write_bytes(flipped)
    assert_error(path, "its checksum does not match its content", "re-record it")
    # Sealed again by a forger, the unknown field is still refused.
    path.write_bytes(sealed_bytes(cassette_pb2.Cassette.FromString(flipped)))
    assert_error(path, "the cassette has fields this format does not define", "corrupt")


def test_a_body_that_does_not_parse_is_corrupt(tmp_path: Path) -> None:
    cassette = new_cassette()
    interaction = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
    interaction.requests.add().body.CopyFrom(
        any_pb2.Any(type_url="type.googleapis.com/xai_api.GetCompletionsRequest", value=b"\x0a\xff")
    )
    path = tmp_path / "bad.pb"
    path.write_bytes(sealed_bytes(cassette))
    assert_error(path, "interaction 1, request 1: a xai_api.GetCompletionsRequest body does not parse", "corrupt")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda i: setattr(i, "method", "GetCompletion"), "is not a gRPC path"),
        (lambda i: setattr(i, "status_code", 99), "status code 99 is not a gRPC status code"),
        (lambda i: i.duration.FromNanoseconds(-5), "duration is not a valid non-negative duration"),
        (lambda i: i.request_metadata.add(key="x"), "request metadata has an entry without key or value"),
        (lambda i: i.responses.add().body.CopyFrom(any_pb2.Any(type_url="x/y")), "not type.googleapis.com/"),
    ],
)
def test_invalid_parts_are_named(tmp_path: Path, edit: object, reason: str) -> None:
    cassette = new_cassette()
    interaction = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
    edit(interaction)  # type: ignore[operator]
    path = tmp_path / "bad.pb"
    path.write_bytes(sealed_bytes(cassette))
    assert_error(path, "interaction 1", reason)


def test_unknown_body_type(tmp_path: Path) -> None:
    cassette = new_cassette()
    interaction = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
    interaction.requests.add().body.type_url = "type.googleapis.com/xai_api.FromTheFuture"
    path = tmp_path / "future_type.pb"
    path.write_bytes(sealed_bytes(cassette))
    assert_error(path, "'xai_api.FromTheFuture', unknown to xai-devkit", "upgrade xai-devkit or re-record")


@pytest.mark.parametrize("name", ["future.pb", "future.txtpb"])
def test_future_version(tmp_path: Path, sample: cassette_pb2.Cassette, name: str) -> None:
    path = tmp_path / name
    future = cassette_pb2.Cassette()
    future.CopyFrom(sample)
    future.format_version = FORMAT_VERSION + 1
    if name.endswith(".pb"):
        path.write_bytes(future.SerializeToString() + b"\xa2\x06\x03new")  # and a field v1 does not know
    else:
        path.write_text(f"format_version: {FORMAT_VERSION + 1}\nnew_field_of_v2: 3\n")
    assert_error(path, f"format version {FORMAT_VERSION + 1} is newer", "upgrade xai-devkit")


def test_text_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.txtpb"
    path.write_text("format_version: 1\ninteractions {\n  methd: 'x'\n}\n")
    assert_error(path, "not a valid text cassette", "3:3", "methd")


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.txtpb"
    path.write_bytes(b"created_by: '\xe9'\n")
    assert_error(path, "not UTF-8")


def test_a_text_cassette_named_pb_gets_a_hint(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    path = tmp_path / "actually_text.pb"
    path.write_text(to_text(sample))
    assert_error(path, "name it .txtpb")


# --- migrations -------------------------------------------------------------------------------------------


def version_0(tmp_path: Path) -> Path:
    """A "version 0" file: unversioned, methods written without the leading slash, no checksum."""
    old = cassette_pb2.Cassette(format_version=0, interaction_count=1)
    interaction = old.interactions.add(method="xai_api.Chat/GetCompletion")
    interaction.requests.append(pack(chat_pb2.GetCompletionsRequest()))
    interaction.responses.append(pack(chat_pb2.GetChatCompletionResponse()))
    path = tmp_path / "old.pb"
    path.write_bytes(old.SerializeToString())
    return path


def test_a_registered_migration_upgrades_old_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def from_0(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
        seen.append(cassette.format_version)
        for interaction in cassette.interactions:
            interaction.method = "/" + interaction.method
        return cassette

    monkeypatch.setitem(MIGRATIONS, 0, from_0)
    with pytest.warns(CassetteWarning, match="has no checksum"):  # formats before 2 are not sealed
        loaded = load(version_0(tmp_path))
    assert seen == [0]
    assert loaded.format_version == FORMAT_VERSION
    assert loaded.interactions[0].method == "/xai_api.Chat/GetCompletion"


def test_an_old_version_without_migration_is_refused(tmp_path: Path) -> None:
    assert 0 not in MIGRATIONS
    assert_error(version_0(tmp_path), "format version 0 is not supported (no migration to 1)")


def test_a_failing_migration_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cassette: cassette_pb2.Cassette) -> cassette_pb2.Cassette:
        raise KeyError("field gone")

    monkeypatch.setitem(MIGRATIONS, 0, broken)
    error = assert_error(version_0(tmp_path), "migration from format version 0 failed", "field gone")
    assert isinstance(error.__cause__, KeyError)


# --- fuzzing: anything gives a Cassette or a CassetteError ------------------------------------------------


def load_or_error(data: bytes, *, text: bool) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CassetteWarning)  # a file of format 1 (no checksum) loads with one
            result = loads(data, text=text, path="fuzzed")
    except CassetteError as exc:
        assert exc.path == Path("fuzzed")
    else:
        assert isinstance(result, cassette_pb2.Cassette)
        assert result.format_version == FORMAT_VERSION


@FUZZ
@given(data=st.binary(max_size=2000), text=st.booleans())
def test_random_bytes(data: bytes, text: bool) -> None:
    load_or_error(data, text=text)


@FUZZ
@given(data=st.data(), text=st.booleans())
def test_truncations(sample: cassette_pb2.Cassette, data: st.DataObject, text: bool) -> None:
    encoded = dumps(sample, text=text)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded)))
    load_or_error(encoded[:cut], text=text)


@FUZZ
@given(data=st.data(), text=st.booleans())
def test_bit_flips(sample: cassette_pb2.Cassette, data: st.DataObject, text: bool) -> None:
    encoded = bytearray(dumps(sample, text=text))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        bit = data.draw(st.integers(min_value=0, max_value=len(encoded) * 8 - 1))
        encoded[bit // 8] ^= 1 << (bit % 8)
    load_or_error(bytes(encoded), text=text)


def test_an_octal_escape_above_a_byte_is_a_cassette_error(sample: cassette_pb2.Cassette) -> None:
    # Found by test_bit_flips in CI: a flip turned "\\377" into "\\400", which the fast text path let through.
    text = dumps(sample, text=True).decode()
    assert "\\377" in text
    # Why, in the reference parser's words, differs between protobuf versions (5.29: a latin-1 error at 75:13).
    with pytest.raises(CassetteError, match=r"'edited': not a valid text cassette: .*(octal escape|latin-1)"):
        loads(text.replace("\\377", "\\400", 1).encode(), text=True, path="edited")


def test_a_file_cut_at_an_interaction_boundary_is_reported(tmp_path: Path, sample: cassette_pb2.Cassette) -> None:
    # A cut between two interactions leaves valid protobuf; the count written after them catches it.
    whole = save(sample, tmp_path / "whole.pb").read_bytes()
    cut = expected(sample)
    del cut.interactions[-1]
    cut.ClearField("interaction_count")
    prefix = cut.SerializeToString(deterministic=True)
    assert whole.startswith(prefix)
    (tmp_path / "cut.pb").write_bytes(prefix)
    with pytest.raises(CassetteError, match="was cut short"):
        load(tmp_path / "cut.pb")
