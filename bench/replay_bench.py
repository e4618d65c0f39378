"""Replay (6): cassette round trips against the bare servicer, and cassette load times."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import canned
from abtiming import alternate
from fake_bench import request, round_trip
from procs import server
from report import Row, ratio_row

LOAD_INTERACTIONS = 1000
LOAD_LIMIT_SECONDS = 0.100
#: Issue 13: a text load costs at most 3x a binary one, and the checksum under 10% of a binary load.
TEXT_TO_BINARY_LIMIT = 3.0
CHECKSUM_SHARE_LIMIT = 0.10


def write_cassette(path: Path, interactions: int) -> Path:
    """A cassette of ``interactions`` chat calls, each its own request text and the canned answer."""
    from xai_fake._proto import cassette_pb2
    from xai_fake.cassette import new_cassette, pack, save

    recorded = []
    for index in range(interactions):
        message = request()
        if index:  # the last interaction is the one the benchmark asks for: the worst case of a scan
            message.messages[0].content[0].text = f"Recorded question {index}."
        recorded.append(
            cassette_pb2.Interaction(
                method="/xai_api.Chat/GetCompletion",
                requests=[pack(message)],
                responses=[pack(canned.response())],
            )
        )
    recorded.reverse()
    return save(new_cassette(recorded), path)


def load_seconds(path: Path, rounds: int) -> float:
    """Median seconds of ``xai_fake.cassette.load(path)``."""
    from xai_fake.cassette import load

    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        load(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(canned_port: int, rounds: int, calls: int, load_rounds: int, *, large: bool = True) -> list[Row]:
    """The replay rows (``large``: also replay from the 1,000-interaction cassette); raises if replay fails."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="xai-bench-replay-") as root:
        small = write_cassette(Path(root) / "one.pb", 1)
        big = write_cassette(Path(root) / "large.pb", LOAD_INTERACTIONS)
        cases = [(small, "1 interaction", 1.05), (big, f"{LOAD_INTERACTIONS} interactions", 1.05)]
        for path, label, limit in cases if large else cases[:1]:
            with server("fake_proc.py", "replay", str(path)) as replay_port:
                comparison = round_trip(replay_port, canned_port, rounds=rounds, calls=calls)
            rows.append(ratio_row(f"6. replay ({label}) / bare servicer", comparison, limit))
        text = write_cassette(Path(root) / "large.txtpb", LOAD_INTERACTIONS)
        for path, encoding in ((big, "binary"), (text, "text")):
            seconds = load_seconds(path, load_rounds)
            rows.append(
                Row(
                    f"6. load {LOAD_INTERACTIONS}-interaction cassette, {encoding}",
                    f"{seconds * 1e3:.1f} ms",
                    f"< {LOAD_LIMIT_SECONDS * 1e3:.0f} ms",
                    seconds < LOAD_LIMIT_SECONDS,
                    f"{path.stat().st_size / 1024:.0f} KiB",
                )
            )
        rows += integrity_rows(big, text, rounds=max(3 * load_rounds, 3))
    return rows


def integrity_rows(binary: Path, text: Path, *, rounds: int) -> list[Row]:
    """Text load / binary load, the reference text parser alone / binary load, and the checksum's share."""
    from xai_fake.cassette import format as cassette_format
    from xai_fake.cassette import load

    data = binary.read_bytes()
    end = len(data) - cassette_format._CHECKSUM_FIELD_LENGTH
    source = text.read_text()

    def checksum() -> object:  # what a binary load adds for the checksum: one SHA-256 of the file
        return cassette_format.checksum_of(memoryview(data)[:end])

    def text_format_parse() -> object:  # the text parser loads used before the fast path
        return cassette_format._parse_text(source, text)

    rows = []
    versus = alternate(lambda: load(text), lambda: load(binary), rounds=rounds, calls=1)
    rows.append(
        ratio_row(f"6. load {LOAD_INTERACTIONS}-interaction cassette, text / binary", versus, TEXT_TO_BINARY_LIMIT)
    )
    old = alternate(text_format_parse, lambda: load(binary), rounds=max(rounds // 3, 3), calls=1)
    rows.append(ratio_row("6. text_format.Parse of it alone / binary load", old))
    share = alternate(checksum, lambda: load(binary), rounds=rounds, calls=1)
    rows.append(
        Row(
            "6. checksum (SHA-256) / binary load",
            f"{share.ratio * 100:.1f}%",
            f"< {CHECKSUM_SHARE_LIMIT * 100:.0f}%",
            share.ratio < CHECKSUM_SHARE_LIMIT,
            f"{share.a * 1e3:.2f} ms of {share.b * 1e3:.1f} ms, {share.rounds} rounds",
        )
    )
    return rows


def rows(canned_port: int, rounds: int, calls: int, load_rounds: int, *, large: bool = True) -> list[Row]:
    """The replay rows (see :func:`measure`)."""
    return measure(canned_port, rounds, calls, load_rounds, large=large)
