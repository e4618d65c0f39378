"""The recording journal: every call on disk as it ends, a killed recorder loses at most the call in flight.

The SIGKILL test forks its recorders from one process that has imported everything once (a
"zygote"), so that 20 kills at seeded random moments cost about as much as 20 short recordings,
not 20 interpreter starts.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from google.protobuf import text_format

from tests.cassette.conftest import SECRET_KEY, make_upstream, real_keys, recording
from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import CassetteError, load, save
from xai_fake.cassette.format import new_cassette, pack
from xai_fake.cassette.journal import MAGIC, encode_record, journal_path, read_journal, recover
from xai_fake.cassette.writable import lock_path
from xai_fake.cli import main
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2

ROOT = Path(__file__).parents[2]
GET_COMPLETION = "/xai_api.Chat/GetCompletion"


def interaction(number: int) -> cassette_pb2.Interaction:
    """A small recorded call (a unary chat call that failed, so that it needs no response body)."""
    request = chat_pb2.GetCompletionsRequest(model="grok-4", messages=[chat_pb2.Message(role=1)])
    recorded = cassette_pb2.Interaction(method=GET_COMPLETION, status_code=13, status_details=f"call {number}")
    recorded.requests.append(pack(request))
    return recorded


def write_journal(path: Path, count: int) -> bytes:
    data = MAGIC + b"".join(encode_record(interaction(n)) for n in range(1, count + 1))
    journal_path(path).write_bytes(data)
    return data


def prompts(cassette: cassette_pb2.Cassette) -> list[str]:
    """The prompt of each recorded chat call, in order."""
    found = []
    for recorded in cassette.interactions:
        if not recorded.requests:
            found.append("")
            continue
        request = recorded.requests[0].body
        text = text_format.MessageToString(request)
        found.append(text.split('text: "', 1)[1].split('"', 1)[0] if 'text: "' in text else "")
    return found


def test_each_call_is_journaled_as_it_ends_and_the_save_removes_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journaled.pb"
    with make_upstream() as upstream, recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
        assert lock_path(path).exists(), "the lock is held while recording"
        for number in range(1, 4):
            client.chat.create("grok-4", messages=[user(f"call {number}")]).sample()
            journal = read_journal(journal_path(path))  # on disk before the client saw the answer end
            assert len(journal.interactions) == number
            assert journal.torn_bytes == 0
        data = journal_path(path).read_bytes()
        assert SECRET_KEY.encode() not in data, "the journal holds what the cassette would: redacted"
        assert SECRET_KEY[8:].encode() not in data
        assert not path.exists(), "the cassette itself is written at stop"
    assert prompts(load(path)) == ["call 1", "call 2", "call 3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journaled.pb"], "journal and lock are gone"


def test_a_torn_last_record_is_ignored_at_every_offset(tmp_path: Path) -> None:
    path = tmp_path / "torn.pb"
    data = write_journal(path, 3)
    size = len(encode_record(interaction(1)))  # the three records have the same size
    for cut in range(len(data) + 1):
        journal_path(path).write_bytes(data[:cut])
        found = read_journal(journal_path(path))
        assert len(found.interactions) == max(0, cut - len(MAGIC)) // size, cut
        assert found.torn_bytes == (cut if cut < len(MAGIC) else (cut - len(MAGIC)) % size), cut
    # the last record written in full but garbled (its sectors landed out of order): ignored too
    garbled = bytearray(data)
    garbled[-1] ^= 0xFF
    journal_path(path).write_bytes(bytes(garbled))
    assert len(read_journal(journal_path(path)).interactions) == 2


def test_damage_before_the_last_record_is_an_error_naming_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "damaged.pb"
    data = bytearray(write_journal(path, 3))
    data[len(MAGIC) + 10] ^= 0x01  # inside the first record's payload
    journal_path(path).write_bytes(bytes(data))
    with pytest.raises(CassetteError, match=r"damaged\.pb\.journal.*record 1 .*CRC-32"):
        read_journal(journal_path(path))
    journal_path(path).write_bytes(b"not a journal at all")
    with pytest.raises(CassetteError, match="does not start like a journal"):
        recover(path)
    assert journal_path(path).exists(), "a journal that cannot be read is left for the user"


def test_recover_keeps_the_cassette_and_appends_the_journal_once(tmp_path: Path) -> None:
    path = tmp_path / "folded.pb"
    save(new_cassette([interaction(0)]), path)
    data = write_journal(path, 2)
    recovered = recover(path)
    assert recovered is not None
    assert (recovered.added, recovered.kept) == (2, 1)
    assert "recovered 2 interaction(s)" in recovered.explain()
    assert [i.status_details for i in load(path).interactions] == ["call 0", "call 1", "call 2"]
    assert not journal_path(path).exists()
    # killed between the save and the journal's removal: the next recovery does not add it twice
    journal_path(path).write_bytes(data)
    again = recover(path)
    assert again is not None and again.already_folded and again.added == 0
    assert len(load(path).interactions) == 3
    assert recover(path) is None, "no journal, nothing to do"


def test_cassette_check_recover_folds_a_journal_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "left.pb"
    write_journal(path, 2)
    lock_path(path).write_text("PID 1 on a killed host\n")  # a SIGKILL leaves the lock file, but not the lock
    assert main(["cassette", "check", str(path)]) == 1, "no cassette yet: only its journal"
    warned = capsys.readouterr().err
    assert "holds 2 interaction(s) of an interrupted recording" in warned
    assert f"check --recover {path}" in warned
    assert main(["cassette", "check", "--recover", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{path}: recovered 2 interaction(s) of an interrupted recording from {path}.journal into {path} "
        "(0 already there kept)"
    )
    assert out[1].startswith(f"{path}: ok (format 2, 2 interactions)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["left.pb"]


def test_a_new_episodes_recording_folds_a_journal_left_behind_first(
    tmp_path: Path, upstream: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "resumed.pb"
    with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
        client.chat.create("grok-4", messages=[user("before the kill")]).sample()
        journaled = journal_path(path).read_bytes()
    path.unlink()  # as if the recorder had been killed before its save
    journal_path(path).write_bytes(journaled)
    with (
        caplog.at_level(logging.WARNING, logger="xai_fake.cassette"),
        recording(path, upstream, record_mode="new_episodes") as proxy,
        proxy.client(**real_keys()) as client,
    ):
        layer = proxy.cassette
        assert layer is not None and layer.recovered is not None and layer.recovered.added == 1
        before = upstream.requests.count()
        client.chat.create("grok-4", messages=[user("before the kill")]).sample()
        assert upstream.requests.count() == before, "the recovered call replays"
        client.chat.create("grok-4", messages=[user("after the restart")]).sample()
    assert any("recovered 1 interaction(s)" in record.getMessage() for record in caplog.records)
    assert prompts(load(path)) == ["before the kill", "after the restart"]
    assert not journal_path(path).exists()


@pytest.mark.parametrize("mode", ["all", "rewrite", "once"])
def test_other_modes_refuse_to_start_over_a_journal_left_behind(
    tmp_path: Path, upstream: FakeServer, mode: str
) -> None:
    path = tmp_path / "refused.pb"
    write_journal(path, 1)
    refused = rf"interrupted: .*refused\.pb\.journal holds 1 interaction.*'{mode}'.*--recover"
    with pytest.raises(CassetteError, match=refused):
        recording(path, upstream, record_mode=mode)
    assert journal_path(path).exists(), "nothing is lost"
    assert not lock_path(path).exists(), "the refused recorder released the lock"
    journal_path(path).write_bytes(MAGIC + b"\x00\x00")  # killed before its first call ended: nothing to keep
    with recording(path, upstream, record_mode=mode):
        pass
    assert not journal_path(path).exists()


ZYGOTE = textwrap.dedent(
    """
    import os, sys
    from xai_fake import FakeServer
    from xai_sdk.chat import user

    upstream, directory, kills = sys.argv[1], sys.argv[2], int(sys.argv[3])


    def say(line):  # one write(2) per line: atomic on a pipe, whichever process writes, whenever one is killed
        os.write(1, (line + "\\n").encode())

    for kill in range(kills):
        child = os.fork()
        if child == 0:  # a recorder: record calls one after another until killed
            try:
                say(f"PID {kill} {os.getpid()}")
                path = os.path.join(directory, f"kill{kill}.pb")
                proxy = FakeServer(cassette=path, record_mode="all", upstream=upstream).start()
                with proxy.client(api_key="k") as client:
                    for call in range(1, 10_000):
                        client.chat.create("grok-4", messages=[user(f"kill-{kill}-call-{call}")]).sample()
                        say(f"DONE {kill} {call}")
            finally:
                os._exit(1)
        os.waitpid(child, 0)
    say("END")
    """
)
KILLS = 20


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks its recorders")
def test_20_sigkills_mid_recording_each_lose_at_most_the_call_in_flight(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    targets = [rng.randint(1, 4) for _ in range(KILLS)]  # kill after this many answered calls...
    delays = [rng.uniform(0.0, 0.02) for _ in range(KILLS)]  # ...and this much later: anywhere in the next call
    old = tmp_path / "kill0.pb"
    save(new_cassette([interaction(0)]), old)
    before = old.read_bytes()
    answered: dict[int, int] = {}
    with FakeServer(seed=3) as upstream:  # accepts any key, like the recorders send
        zygote = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, upstream.address, str(tmp_path), str(KILLS)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        try:
            assert zygote.stdout is not None
            pids: dict[int, int] = {}
            for line in zygote.stdout:
                word, *numbers = line.split()
                if word == "END":
                    break
                kill, value = int(numbers[0]), int(numbers[1])
                if word == "PID":
                    pids[kill] = value
                elif word == "DONE" and kill not in answered and value >= targets[kill]:
                    answered[kill] = value
                    time.sleep(delays[kill])
                    os.kill(pids[kill], signal.SIGKILL)
        finally:
            zygote.kill()
            zygote.wait(timeout=30)
            zygote.stdout.close()  # type: ignore[union-attr]
        reached = [text_format.MessageToString(request) for request in upstream.requests.requests(GET_COMPLETION)]
    assert sorted(answered) == list(range(KILLS)), "every recorder was killed mid-recording"
    assert old.read_bytes() == before, "a kill never touches the cassette itself"
    losses = []
    for kill in range(KILLS):
        path = tmp_path / f"kill{kill}.pb"
        upstream_calls = sum(f'"kill-{kill}-call-' in text for text in reached)
        recovered = recover(path)
        assert recovered is not None, kill
        kept = [p for p in prompts(load(path)) if p.startswith("kill-")]
        assert kept == [f"kill-{kill}-call-{n}" for n in range(1, len(kept) + 1)], "whole calls, in order"
        assert len(kept) >= answered[kill], "every call the client saw answered is kept"
        assert upstream_calls - len(kept) in (0, 1), f"kill {kill}: at most the call in flight is lost"
        losses.append(upstream_calls - len(kept))
    assert load(old).interactions[0] == interaction(0), "recovery keeps what the cassette held"
    print(f"calls lost to the 20 kills: {losses}")
