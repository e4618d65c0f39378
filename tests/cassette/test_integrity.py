"""Cassettes that cannot lie: checksum, truncation, bit flips, nesting, special files, replayability.

The figures of issue 13: truncation at every offset and 3,000 seeded bit flips, in binary and in
text, with none accepted silently; nesting to 50,000 levels without a crash; FIFOs, devices,
directories and symlinks to them refused at once; six (here seven) kinds of unreplayable
cassette refused by ``load`` and by ``xai-fake cassette check``.

"Accepted silently" means: the loader returned a cassette whose content differs from the one
written. Content is the deterministic encoding of the loaded message (which holds everything
in the file but the checksum). A damaged file must either raise :class:`CassetteError` or load
a cassette of identical content: in binary nothing lies outside the checksum (a flip in the
checksum field itself makes it missing, unparseable or wrong), so every flip must be an error;
in text, comments and layout are not content, so a flip there may load the same cassette.
"""

from __future__ import annotations

import os
import random
import shlex
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import any_pb2, empty_pb2, text_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cassette.format_samples import sealed_bytes
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import (
    FORMAT_VERSION,
    MAX_BYTES_VARIABLE,
    MAX_DEPTH,
    CassetteError,
    CassetteWarning,
    dumps,
    load,
    loads,
    new_cassette,
    pack,
    save,
    to_text,
    unpack,
)
from xai_fake.cassette import format as cassette_format
from xai_fake.cassette._textwire import to_wire
from xai_fake.cli import main
from xai_fake.methods import all_methods
from xai_sdk.proto import chat_pb2, files_pb2, models_pb2

SEED = 13
FLIPS = 3000
CHUNKS = 6  # the flips and cuts are split so that xdist workers share them
NESTING = 50_000


# --- a small cassette of every call kind --------------------------------------------------------------


def small_cassette() -> cassette_pb2.Cassette:
    """Unary, server-streaming (cut by an error), client-streaming and failing calls, with metadata and timing."""
    cassette = new_cassette()
    cassette.recorded_at.FromSeconds(1_790_000_000)  # fixed, so that every worker sees the same bytes
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4", messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hi")])]
    )
    unary = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
    unary.requests.append(pack(request))
    answer = chat_pb2.GetChatCompletionResponse(id="r-1", model="grok-4", outputs=[chat_pb2.CompletionOutput()])
    answer.outputs[0].message.content = "Hello there."
    unary.responses.append(pack(answer, 0.25))
    unary.request_metadata.add(key="x-client", text="integrity")
    unary.trailing_metadata.add(key="trace-bin", binary=b"\x00\x01\xfe")
    unary.duration.FromMilliseconds(260)

    stream = cassette.interactions.add(method="/xai_api.Chat/GetCompletionChunk", status_code=13)
    stream.requests.append(pack(request))
    for index in range(2):
        chunk = chat_pb2.GetChatCompletionChunk(id="c-1", outputs=[chat_pb2.CompletionOutputChunk(index=0)])
        chunk.outputs[0].delta.content = f"word{index} "
        stream.responses.append(pack(chunk, 0.1 * (index + 1)))
    stream.status_details = "stream broke"

    upload = cassette.interactions.add(method="/xai_api.Files/UploadFile")
    upload.requests.append(pack(files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name="notes.txt"))))
    upload.requests.append(pack(files_pb2.UploadFileChunk(data=b"some \x00 bytes"), 0.01))
    upload.responses.append(pack(files_pb2.File(id="file-1", filename="notes.txt", size=13), 0.02))

    failed = cassette.interactions.add(method="/xai_api.Models/ListLanguageModels", status_code=8)
    failed.requests.append(pack(empty_pb2.Empty()))
    failed.status_details = "quota"
    return cassette


SMALL = loads(dumps(small_cassette()))


def content(cassette: cassette_pb2.Cassette) -> bytes:
    """What a loaded cassette holds, byte for byte (the loader has removed the checksum)."""
    return cassette.SerializeToString(deterministic=True)


ORIGINAL = content(SMALL)
ENCODED = {"binary": dumps(SMALL), "text": dumps(SMALL, text=True)}


def outcome(data: bytes, *, text: bool) -> str:
    """``error`` (CassetteError), ``same`` (loaded, identical content) or ``changed`` (accepted silently)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a damaged file must not pass for an old, unsealed one either
            loaded = loads(data, text=text, path="damaged")
    except CassetteError as exc:
        assert "\n" not in str(exc)
        return "error"
    return "same" if content(loaded) == ORIGINAL else "changed"


def test_the_small_cassette_round_trips_and_replays_every_kind() -> None:
    assert [i.method for i in SMALL.interactions] == [
        "/xai_api.Chat/GetCompletion",
        "/xai_api.Chat/GetCompletionChunk",
        "/xai_api.Files/UploadFile",
        "/xai_api.Models/ListLanguageModels",
    ]
    for encoding, data in ENCODED.items():
        assert outcome(data, text=encoding == "text") == "same"
    assert len(ENCODED["binary"]) < 1200 and len(ENCODED["text"]) < 3500  # small enough for 3,000 loads


# --- bit flips and truncation -----------------------------------------------------------------------------


def flips(encoding: str) -> list[int]:
    """3,000 distinct bit positions of the encoded cassette, drawn with a fixed seed."""
    bits = len(ENCODED[encoding]) * 8
    return random.Random(f"{SEED}-{encoding}").sample(range(bits), FLIPS)


def flipped(data: bytes, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("encoding", ["binary", "text"])
def test_no_bit_flip_is_accepted_silently(encoding: str, chunk: int) -> None:
    data, text = ENCODED[encoding], encoding == "text"
    results: dict[str, list[int]] = {"error": [], "same": [], "changed": []}
    for bit in flips(encoding)[chunk::CHUNKS]:
        results[outcome(flipped(data, bit), text=text)].append(bit)
    assert results["changed"] == [], f"{encoding}: flips accepted with other content at bits {results['changed']}"
    if encoding == "binary":
        assert results["same"] == [], "every byte of a binary cassette is covered by its checksum"
    else:
        # Only what is not content may change unnoticed: comment lines (the header) and layout.
        source = data.decode()
        for bit in results["same"]:
            line = source[: bit // 8].rsplit("\n", 1)[-1] + source[bit // 8 :].split("\n", 1)[0]
            assert line.lstrip().startswith("#") or not line.strip() or chr(data[bit // 8]) in " \n", (bit, line)


def test_the_flips_cover_every_part_of_the_file() -> None:
    for encoding, data in ENCODED.items():
        hit = {bit // 8 for bit in flips(encoding)}
        assert min(hit) < 8 and max(hit) > len(data) - 8  # the header, and the checksum at the end
        assert len(hit) > len(data) * 0.5


def cuts(encoding: str, chunk: int) -> range:
    return range(chunk, len(ENCODED[encoding]), CHUNKS)


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("encoding", ["binary", "text"])
def test_truncation_at_every_offset_is_refused(encoding: str, chunk: int) -> None:
    data, text = ENCODED[encoding], encoding == "text"
    # A text file may lose its last newline (after the checksum's closing quote): the same cassette.
    harmless = len(data.rstrip()) if text else len(data)
    for cut in cuts(encoding, chunk):
        result = outcome(data[:cut], text=text)
        assert result == ("same" if cut >= harmless else "error"), (cut, result)


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_a_file_cut_after_its_header_is_refused(tmp_path: Path, text: bool) -> None:
    header = cassette_pb2.Cassette()
    header.CopyFrom(SMALL)
    del header.interactions[:]
    header.ClearField("interaction_count")
    path = tmp_path / ("cut.txtpb" if text else "cut.pb")
    whole = ENCODED["text" if text else "binary"]
    prefix = whole[: whole.index(b"interactions {")] if text else header.SerializeToString(deterministic=True)
    assert whole.startswith(prefix)
    path.write_bytes(prefix)
    with pytest.raises(CassetteError, match=r"no checksum|ends without its checksum"):
        load(path)
    assert main(["cassette", "check", str(path)]) == 1


def test_an_old_cassette_cut_after_its_header_is_refused(tmp_path: Path) -> None:
    # Format 1 had no checksum: an empty file of it cannot be told from a cut one, so both are refused.
    path = tmp_path / "old.pb"
    path.write_bytes(cassette_pb2.Cassette(format_version=1, created_by="xai-devkit 0.0.9").SerializeToString())
    with pytest.raises(CassetteError, match="cannot be told from a file cut after its header"):
        load(path)
    assert main(["cassette", "check", "--fix", str(path)]) == 1


def test_a_count_that_does_not_match_is_refused(tmp_path: Path) -> None:
    forged = cassette_pb2.Cassette.FromString(ENCODED["binary"])
    forged.ClearField("checksum")
    del forged.interactions[-1]  # and sealed again, as by a forger, with the old count
    forged.interaction_count = len(SMALL.interactions)
    data = forged.SerializeToString(deterministic=True)
    path = tmp_path / "count.pb"
    path.write_bytes(data + b"\x32\x47" + cassette_format.checksum_of(data).encode())
    with pytest.raises(CassetteError, match=r"holds 3 interaction\(s\) but was written with 4"):
        load(path)


# --- the checksum across binary and text, and the text edit workflow -------------------------------------


def checksum_in(data: bytes, *, text: bool) -> str:
    if text:
        line = [line for line in data.decode().splitlines() if line.startswith("checksum: ")]
        assert len(line) == 1
        return line[0].split('"')[1]
    return cassette_pb2.Cassette.FromString(data).checksum


def test_binary_and_text_carry_the_same_checksum(tmp_path: Path) -> None:
    binary = save(SMALL, tmp_path / "a.pb")
    text = save(load(binary), tmp_path / "a.txtpb")
    again = save(load(text), tmp_path / "b.pb")
    assert checksum_in(binary.read_bytes(), text=False) == checksum_in(text.read_bytes(), text=True)
    assert again.read_bytes() == binary.read_bytes()
    assert checksum_in(binary.read_bytes(), text=False).startswith("sha256:")
    assert len(checksum_in(binary.read_bytes(), text=False)) == len("sha256:") + 64
    assert not load(binary).checksum  # the seal is checked and removed: save writes a fresh one


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_an_edited_text_cassette_is_refused_until_sealed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(SMALL, tmp_path / "edited.txtpb")
    path.write_text(path.read_text().replace("Hello there.", "Goodbye."))
    with pytest.raises(CassetteError) as caught:
        load(path)
    fix = f"xai-fake cassette check --fix {shlex.quote(str(path))}"
    assert str(caught.value) == (
        f"cassette {str(path)!r}: its checksum does not match its content: it was edited (or damaged) after it was "
        f"written; if the edit is yours, seal it again with: {fix}"
    )
    code, out, err = run_cli(capsys, "cassette", "check", str(path))
    assert code == 1 and out == ""
    assert fix in one_line(err)
    code, out, err = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 0, err
    assert out == f"{path}: sealed (format {FORMAT_VERSION} -> {FORMAT_VERSION}, 4 interactions)\n"
    answer = unpack(load(path).interactions[0].responses[0])
    assert answer.outputs[0].message.content == "Goodbye."  # type: ignore[attr-defined]
    code, out, _ = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 0 and "checksum verified" in out  # nothing to do the second time


def test_removing_an_interaction_by_hand_is_sealed_with_the_new_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(SMALL, tmp_path / "shorter.txtpb")
    text = path.read_text()
    start = text.index("interactions {", text.index("/xai_api.Files/UploadFile") - 40)
    end = text.index("\n}\n", start) + 3
    path.write_text(text[:start] + text[end:])
    with pytest.raises(CassetteError, match="does not match"):
        load(path)
    assert run_cli(capsys, "cassette", "check", "--fix", str(path))[0] == 0
    assert [i.method for i in load(path).interactions][-1] == "/xai_api.Models/ListLanguageModels"
    assert load(path).interaction_count == 3


def test_a_text_cassette_without_its_checksum_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = save(SMALL, tmp_path / "no_seal.txtpb")
    path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith("checksum")))
    with pytest.raises(CassetteError, match=r"it has no checksum .* seal it again with: xai-fake cassette check --fix"):
        load(path)
    assert run_cli(capsys, "cassette", "check", "--fix", str(path))[0] == 0
    load(path)


def test_a_damaged_binary_cassette_is_not_sealed_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "damaged.pb"
    data = ENCODED["binary"]
    at = data.index(b"Hello there.")
    path.write_bytes(data[:at] + b"J" + data[at + 1 :])
    before = path.read_bytes()
    with pytest.raises(CassetteError, match="checksum does not match its content: the file was changed or damaged"):
        load(path)
    code, out, err = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 1 and out == ""
    assert "only text cassettes are sealed again" in one_line(err)
    assert path.read_bytes() == before


def test_a_cassette_of_format_1_loads_with_a_warning_until_sealed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = cassette_pb2.Cassette()
    old.CopyFrom(SMALL)
    old.format_version = 1
    path = tmp_path / "old.pb"
    path.write_bytes(old.SerializeToString())  # format 1: no checksum
    with pytest.warns(CassetteWarning, match=r"has no checksum \(format 1, written before checksums\)"):
        loaded = load(path)
    assert content(loaded) == ORIGINAL  # migrated to the current format, same interactions
    code, out, _ = run_cli(capsys, "cassette", "check", str(path))
    assert code == 0
    assert out.strip() == (
        f"{path}: ok (format 1, 4 interactions), but no checksum (written before checksums): "
        f"seal it with: xai-fake cassette check --fix {path}"
    )
    code, out, _ = run_cli(capsys, "cassette", "show", str(path))
    assert code == 0 and "interactions {" in out
    code, out, _ = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 0 and out.strip() == f"{path}: sealed (format 1 -> {FORMAT_VERSION}, 4 interactions)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert content(load(path)) == ORIGINAL


def test_a_sealed_file_of_another_writers_field_order_is_verified_by_re_encoding(tmp_path: Path) -> None:
    # Another implementation may write the checksum before the interactions: still valid.
    message = cassette_pb2.Cassette.FromString(ENCODED["binary"])
    checksum = message.checksum
    message.ClearField("checksum")
    reordered = b"\x32\x47" + checksum.encode() + message.SerializeToString(deterministic=True)
    path = tmp_path / "reordered.pb"
    path.write_bytes(reordered)
    assert content(load(path)) == ORIGINAL


# --- the text fast path agrees with text_format -----------------------------------------------------------


def reference_wire(text: str) -> bytes:
    parsed = cassette_format._parse_text(text, None)
    return parsed.SerializeToString(deterministic=True)


def test_the_fast_text_path_matches_text_format_on_the_samples() -> None:
    root = Path(__file__).resolve().parents[2] / "cassettes" / "samples"
    texts = [ENCODED["text"].decode(), (root / "chat_stream.txtpb").read_text()]
    for text in texts:
        fast = to_wire(text, cassette_pb2.Cassette.DESCRIPTOR, MAX_DEPTH)
        assert fast is not None
        assert fast[0] == reference_wire(text)


def test_layouts_outside_the_fast_path_load_through_text_format(tmp_path: Path) -> None:
    text = ENCODED["text"].decode()
    variants = {
        "one line": text_format.MessageToString(
            text_format.Parse(text, cassette_pb2.Cassette()), as_one_line=True, message_formatter=None
        ),
        "a comment after a value": text.replace('model: "grok-4"', 'model: "grok-4"  # recorded', 1),
        "single quotes": text.replace('"Hello there."', "'Hello there.'"),
        "hex number": text.replace("status_code: 13", "status_code: 0xd"),
        "angle brackets": text.replace("offset {\n    }", "offset <\n    >", 1),
        "a colon before a brace": text.replace("interactions {", "interactions: {", 1),
    }
    for name, variant in variants.items():
        assert to_wire(variant, cassette_pb2.Cassette.DESCRIPTOR, MAX_DEPTH) is None, name
        assert content(loads(variant.encode(), text=True)) == ORIGINAL, name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=st.data())
def test_the_fast_text_path_matches_text_format_on_random_messages(data: st.DataObject) -> None:
    from tests.reliability.proto_strategies import messages

    methods = sorted(all_methods().values(), key=lambda m: m.full_name)
    method = data.draw(st.sampled_from(methods))
    cassette = new_cassette()
    interaction = cassette.interactions.add(method=method.path)
    interaction.requests.append(pack(data.draw(messages(method.request_type.DESCRIPTOR))))
    interaction.responses.append(pack(data.draw(messages(method.response_type.DESCRIPTOR))))
    text = to_text(cassette)
    fast = to_wire(text, cassette_pb2.Cassette.DESCRIPTOR, MAX_DEPTH)
    reference = reference_wire(text)
    if fast is not None:  # may be None (e.g. an enum number the writer prints as a number)
        wire, at, checksum = fast
        if wire != reference:  # only allowed when the seal then sends the load to text_format
            assert cassette_format.checksum_of(memoryview(wire)[:at]) != checksum
    assert content(loads(text.encode(), text=True)) == content(loads(dumps(cassette)))


# --- nesting ----------------------------------------------------------------------------------------------


def _two_responses_failed(interaction: Any) -> None:
    interaction.responses.append(interaction.responses[0])
    interaction.status_code = 14


def nested_text(levels: int, *, one_line: bool = False, brackets: str = "{}") -> str:
    sep = " " if one_line else "\n"
    opening, closing = brackets[0], brackets[1]
    head = f"format_version: 2{sep}interactions {opening}{sep}method: '/xai_api.Chat/GetCompletion'{sep}"
    head += f"requests {opening}{sep}body {opening}{sep}"
    inner = f"[type.googleapis.com/google.protobuf.Any] {opening}{sep}" * levels + f"{closing}{sep}" * levels
    return head + inner + f"{closing}{sep}" * 3


@pytest.mark.parametrize(
    ("single", "brackets"), [(False, "{}"), (True, "{}"), (True, "<>")], ids=["lines", "one line", "angle"]
)
def test_text_nested_50000_levels_is_refused_without_a_crash(
    tmp_path: Path, single: bool, brackets: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.txtpb"
    path.write_text(nested_text(NESTING, one_line=single, brackets=brackets))
    with pytest.raises(CassetteError, match=rf"messages nest deeper than {MAX_DEPTH} levels"):
        load(path)
    code, _, err = run_cli(capsys, "cassette", "show", str(path))
    assert code == 1 and "nest deeper" in one_line(err)


def test_braces_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    deep_text = new_cassette()
    deep_text.CopyFrom(SMALL)
    answer = chat_pb2.GetChatCompletionResponse(outputs=[chat_pb2.CompletionOutput()])
    answer.outputs[0].message.content = "{" * NESTING + "<" * 10
    deep_text.interactions[0].responses[0].CopyFrom(pack(answer))
    path = save(deep_text, tmp_path / "braces.txtpb")
    assert load(path).interactions[0].responses[0] == deep_text.interactions[0].responses[0]
    # The same through text_format (one line: outside the fast path) and its depth check.
    one_line = text_format.MessageToString(
        text_format.Parse(path.read_text(), cassette_pb2.Cassette()), as_one_line=True
    )
    assert loads(one_line.encode(), text=True).interactions[0].responses[0] == deep_text.interactions[0].responses[0]


def nested_groups(levels: int) -> bytes:
    """An unknown field 15 holding ``levels`` nested groups (start-group 0x7b ... end-group 0x7c)."""
    return b"\x7b" * levels + b"\x7c" * levels


def nested_any(levels: int) -> bytes:
    """The value of an ``Any`` holding an ``Any`` holding ... ``levels`` deep, built in linear time."""
    url = b"type.googleapis.com/google.protobuf.Any"
    lengths = [0]
    for _ in range(levels):
        inner = lengths[-1]
        lengths.append(2 + len(url) + (1 + len(cassette_format._textwire.varint(inner)) + inner if inner else 0))
    parts = []
    for level in range(levels, 0, -1):
        inner = lengths[level - 1]
        part = b"\x0a" + bytes([len(url)]) + url
        if inner:
            part += b"\x12" + cassette_format._textwire.varint(inner)
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("where", ["cassette", "body", "any"])
def test_binary_nested_50000_levels_is_refused_without_a_crash(tmp_path: Path, where: str) -> None:
    cassette = cassette_pb2.Cassette()
    cassette.CopyFrom(SMALL)
    body = cassette.interactions[0].requests[0].body
    if where == "body":
        body.value += nested_groups(NESTING)
    elif where == "any":
        body.CopyFrom(any_pb2.Any(type_url="type.googleapis.com/google.protobuf.Any", value=nested_any(NESTING)))
    data = sealed_bytes(cassette)
    if where == "cassette":
        data = data[:-73] + nested_groups(NESTING) + data[-73:]
    path = tmp_path / "deep.pb"
    path.write_bytes(data)
    reason = {
        "cassette": "not a valid binary cassette",
        "body": "xai_api.GetCompletionsRequest body does not parse",
        "any": "the body is a google.protobuf.Any, but /xai_api.Chat/GetCompletion takes xai_api.GetCompletionsRequest",
    }[where]
    with pytest.raises(CassetteError, match=reason.replace(".", r"\.").replace("(", r"\(")):
        load(path)
    assert main(["cassette", "show", str(path)]) == 1


def test_show_is_linear_in_nested_any_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.1 KB of nested Any took exponential time in `cassette show`: now each body is checked once.
    calls = []
    original = text_format.MessageToString

    def counting(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(text_format, "MessageToString", counting)
    sizes = {}
    for levels in (13, 26, 52):
        cassette = new_cassette()
        interaction = cassette.interactions.add(method="/xai_api.Chat/GetCompletion")
        value = nested_any(levels)
        interaction.requests.add().body.CopyFrom(
            any_pb2.Any(type_url="type.googleapis.com/google.protobuf.Any", value=value)
        )
        calls.clear()
        start = time.perf_counter()
        text = to_text(cassette)
        elapsed = time.perf_counter() - start
        sizes[levels] = (len(value), len(calls), elapsed)
        assert value == any_pb2.Any.FromString(value).SerializeToString()  # a genuine chain of Anys
        with pytest.raises(CassetteError, match=r"the body is a google\.protobuf\.Any"):
            loads(text.encode(), text=True)  # which no xAI method takes
    assert sizes[26][0] > 1100  # the attacker's 1.1 KB
    assert sizes[13][1] == sizes[26][1] == sizes[52][1] <= 4  # a constant number of printer runs
    assert sizes[52][2] < 5.0


# --- special files and size ------------------------------------------------------------------------------


def load_in_thread(path: Path, seconds: float = 20.0) -> BaseException | None:
    """Load ``path`` on a thread: the exception raised, or None; fails if it did not return at once."""
    result: list[BaseException | None] = []

    def target() -> None:
        try:
            load(path)
        except BaseException as exc:
            result.append(exc)
        else:
            result.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"load({path}) hung"
    return result[0]


def special_file(tmp_path: Path, kind: str) -> Path:
    if kind == "FIFO":
        path = tmp_path / "fifo.pb"
        os.mkfifo(path)
    elif kind == "symlink to a FIFO":
        os.mkfifo(tmp_path / "target")
        path = tmp_path / "link.pb"
        path.symlink_to(tmp_path / "target")
    elif kind == "character device":
        path = Path("/dev/zero")
    elif kind == "directory":
        path = tmp_path / "dir.pb"
        path.mkdir()
    else:
        path = tmp_path / "sock.pb"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    return path


SPECIAL = {
    "FIFO": "a FIFO (named pipe)",
    "symlink to a FIFO": "a FIFO (named pipe)",
    "character device": "a character device",
    "directory": "a directory",
    "socket": "a socket",
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
@pytest.mark.parametrize("kind", list(SPECIAL))
def test_special_files_are_refused_at_once(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = special_file(tmp_path, kind)
    error = load_in_thread(path)
    assert isinstance(error, CassetteError), error
    assert str(error) == (
        f"cassette {str(path)!r}: cannot read it: it is {SPECIAL[kind]}, not a regular file; "
        "give the path of a cassette file"
    )
    code, _, err = run_cli(capsys, "cassette", "check", str(path))
    assert code == 1 and SPECIAL[kind] in one_line(err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
def test_a_fifo_swapped_in_after_the_check_is_refused_on_the_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = special_file(tmp_path, "FIFO")
    real_stat = os.stat

    def stat_says_regular(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if Path(target) == path:  # as if the path was a regular file when checked
            fields = list(real_stat(target))
            fields[0] = stat.S_IFREG | 0o644
            return os.stat_result(fields)
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_says_regular)
    error = load_in_thread(path)  # opened without blocking, checked on the descriptor
    assert isinstance(error, CassetteError) and "a FIFO" in str(error)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.pb"
    with path.open("wb") as file:
        file.truncate(cassette_format.MAX_BYTES + 1)  # sparse: nothing is written, nothing may be read
    with pytest.raises(CassetteError) as caught:
        load(path)
    assert str(caught.value) == (
        f"cassette {str(path)!r}: the file is 256.0 MiB, over the limit of 256.0 MiB for a cassette; if it is "
        f"genuine, raise the limit with the environment variable {MAX_BYTES_VARIABLE}=<bytes>"
    )
    small = save(SMALL, tmp_path / "small.pb")
    monkeypatch.setenv(MAX_BYTES_VARIABLE, "100")
    with pytest.raises(CassetteError, match=rf"over the limit of 100 bytes .* {MAX_BYTES_VARIABLE}=<bytes>"):
        load(small)
    monkeypatch.setenv(MAX_BYTES_VARIABLE, str(cassette_format.MAX_BYTES * 2))
    path.unlink()
    assert content(load(small)) == ORIGINAL
    monkeypatch.setenv(MAX_BYTES_VARIABLE, "lots")
    with pytest.raises(CassetteError, match=rf"{MAX_BYTES_VARIABLE}='lots' is not a size in bytes"):
        load(small)


# --- replayability ----------------------------------------------------------------------------------------


def _edit_request_count(interaction: cassette_pb2.Interaction) -> None:
    interaction.requests.append(interaction.requests[0])


UNREPLAYABLE: dict[str, tuple[Callable[[cassette_pb2.Interaction], None], str]] = {
    "unary with no response": (
        lambda i: i.ClearField("responses"),
        "interaction 1: /xai_api.Chat/GetCompletion is unary and ended OK, so it needs exactly one response, "
        "but 0 are recorded",
    ),
    "unary with two responses": (
        lambda i: i.responses.append(i.responses[0]),
        "interaction 1: /xai_api.Chat/GetCompletion is unary and ended OK, so it needs exactly one response, "
        "but 2 are recorded",
    ),
    "failed unary with two responses": (
        _two_responses_failed,
        "interaction 1: /xai_api.Chat/GetCompletion is unary, so it has at most one response, but 2 are recorded",
    ),
    "request body of the wrong type": (
        lambda i: i.requests[0].CopyFrom(pack(models_pb2.GetModelRequest(name="grok-4"))),
        "interaction 1, request 1: the body is a xai_api.GetModelRequest, but /xai_api.Chat/GetCompletion takes "
        "xai_api.GetCompletionsRequest",
    ),
    "response body of the wrong type": (
        lambda i: i.responses[0].CopyFrom(pack(chat_pb2.GetChatCompletionChunk())),
        "interaction 1, response 1: the body is a xai_api.GetChatCompletionChunk, but /xai_api.Chat/GetCompletion "
        "answers with xai_api.GetChatCompletionResponse",
    ),
    "unknown method": (
        lambda i: setattr(i, "method", "/xai_api.Chat/GetCompletions"),
        "interaction 1: method '/xai_api.Chat/GetCompletions' is not an xAI API method known to xai-devkit",
    ),
    "two requests for a unary request": (
        _edit_request_count,
        "interaction 1: /xai_api.Chat/GetCompletion takes exactly one request, but 2 are recorded",
    ),
}


@pytest.fixture(params=list(UNREPLAYABLE))
def unreplayable(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    edit, reason = UNREPLAYABLE[request.param]
    cassette = cassette_pb2.Cassette()
    cassette.CopyFrom(SMALL)
    edit(cassette.interactions[0])
    path = tmp_path / "unreplayable.pb"
    path.write_bytes(sealed_bytes(cassette))  # correctly sealed: only replayability is wrong
    return path, reason


def test_unreplayable_cassettes_are_refused_by_load(unreplayable: tuple[Path, str]) -> None:
    path, reason = unreplayable
    with pytest.raises(CassetteError) as caught:
        load(path)
    assert str(caught.value).startswith(f"cassette {str(path)!r}: {reason}")
    assert "cannot be replayed" in str(caught.value)


def test_unreplayable_cassettes_fail_cassette_check(
    unreplayable: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, reason = unreplayable
    code, out, err = run_cli(capsys, "cassette", "check", str(path))
    assert code == 1 and out == ""
    assert one_line(err) == f"xai-fake cassette check: {load_error(path)!s}"
    assert reason in err


def load_error(path: Path) -> CassetteError:
    with pytest.raises(CassetteError) as caught:
        load(path)
    return caught.value


def test_an_unreplayable_text_edit_is_not_sealed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = save(SMALL, tmp_path / "edited.txtpb")
    path.write_text(path.read_text().replace("/xai_api.Files/UploadFile", "/xai_api.Files/UploadFiles"))
    before = path.read_bytes()
    code, _, err = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 1
    assert "interaction 3: method '/xai_api.Files/UploadFiles' is not an xAI API method" in one_line(err)
    assert "did you mean /xai_api.Files/UploadFile?" in err
    assert path.read_bytes() == before


def test_the_console_command_prints_one_line_per_bad_cassette(tmp_path: Path) -> None:
    paths = []
    for name, (edit, _) in UNREPLAYABLE.items():
        cassette = cassette_pb2.Cassette()
        cassette.CopyFrom(SMALL)
        edit(cassette.interactions[0])
        path = tmp_path / f"{name.replace(' ', '_')}.pb"
        path.write_bytes(sealed_bytes(cassette))
        paths.append(str(path))
    fifo = tmp_path / "fifo.pb"
    os.mkfifo(fifo)
    cut = tmp_path / "cut.pb"
    cut.write_bytes(ENCODED["binary"][:-1])
    good = save(SMALL, tmp_path / "good.txtpb")
    command = [sys.executable, "-m", "xai_fake", "cassette", "check", *paths, str(fifo), str(cut), str(good)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(paths) + 2 and "Traceback" not in result.stderr
    assert all(line.startswith("xai-fake cassette check: cassette '") for line in errors)
    assert result.stdout == f"{good}: ok (format {FORMAT_VERSION}, 4 interactions), checksum verified\n"


def test_check_fix_redacts_a_sealed_cassette_holding_a_credential(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaky = cassette_pb2.Cassette()
    leaky.CopyFrom(SMALL)
    leaky.interactions[0].request_metadata.add(key="authorization", text="Bearer xai-INTEGRITY-SECRET")
    path = tmp_path / "leaky.pb"
    path.write_bytes(sealed_bytes(leaky))  # sealed by another tool, credential and all
    code, _, err = run_cli(capsys, "cassette", "check", str(path))
    assert code == 1 and "unredacted credentials (interaction 1: authorization)" in one_line(err)
    code, out, _ = run_cli(capsys, "cassette", "check", "--fix", str(path))
    assert code == 0 and "1 credential(s) redacted" in out
    assert b"xai-INTEGRITY-SECRET" not in path.read_bytes()
    assert run_cli(capsys, "cassette", "check", str(path))[0] == 0
