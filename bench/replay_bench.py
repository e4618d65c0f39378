"""Replay (6): cassette round trips against the bare servicer, and cassette load times."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import canned
from fake_bench import request, round_trip
from procs import server
from report import Row, ratio_row

LOAD_INTERACTIONS = 1000
LOAD_LIMIT_SECONDS = 0.100


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
    return rows


def rows(canned_port: int, rounds: int, calls: int, load_rounds: int, *, large: bool = True) -> list[Row]:
    """The replay rows (see :func:`measure`)."""
    return measure(canned_port, rounds, calls, load_rounds, large=large)
