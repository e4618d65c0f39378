"""Run every benchmark and print every ratio in one table.

    python bench/run.py            # full run, about 3 minutes
    python bench/run.py --quick    # fewer rounds and a smaller suite, under 30 seconds
    python bench/run.py --only fake,replay   # some groups only (sdk, official, fake, concurrency,
                                             # replay, schema, import, fixture)

Set ``OFFICIAL_PYTHON`` to the interpreter of a virtualenv holding the official
``xai-sdk`` to print its ratios too. See ``bench/README.md`` for what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

import accumulate_bench
import fake_bench
import fixture_bench
import import_bench
import replay_bench
import schema_bench
from abtiming import Comparison
from procs import BENCH, server
from report import Row, print_table, ratio_row
from sdk_core import Sdk, create_and_sample_sync, stream_sync, unary_async, unary_sync


@dataclass(frozen=True)
class Settings:
    rounds: int
    calls: int
    stream_rounds: int
    big_stream_rounds: int
    import_rounds: int
    official_import_rounds: int
    concurrency_rounds: int
    thread_calls: int
    suite_size: int
    suite_rounds: int
    load_rounds: int
    schema_seeds: int
    schema_rounds: int
    quick: bool


FULL = Settings(15, 200, 15, 3, 16, 4, 5, 20, 1000, 2, 5, 5, 3, quick=False)
QUICK = Settings(3, 30, 3, 1, 3, 1, 2, 10, 100, 1, 1, 2, 1, quick=True)


def official_rows(python: str, port: int, settings: Settings) -> list[Row]:
    completed = subprocess.run(
        [python, str(BENCH / "official_worker.py"), str(port), str(settings.rounds), str(settings.calls),
         str(settings.stream_rounds)],
        cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(completed.stdout)
    version = result["version"]

    def comparison(key: str) -> Comparison:
        values = result[key]
        return Comparison(values["a"], values["b"], values["ratio"], int(values["rounds"]))

    return [
        ratio_row(f"1. official {version}: sample() / bare stub", comparison("unary_sync"), None),
        ratio_row(f"1. official {version}: async sample() / bare aio stub", comparison("unary_async"), None),
        ratio_row(f"2. official {version}: stream() 100 chunks / bare", comparison("stream_100"), None, per=100),
    ]


def sdk_rows(canned_port: int, settings: Settings) -> list[Row]:
    sdk = Sdk("xai_sdk.proto.chat_pb2_grpc")
    rounds, calls = settings.rounds, settings.calls
    rows = [
        ratio_row("1. sample() / bare stub", unary_sync(sdk, canned_port, rounds=rounds, calls=calls), 1.15),
        ratio_row("1. async sample() / bare aio stub", unary_async(sdk, canned_port, rounds=rounds, calls=calls), 1.15),
        ratio_row(
            "1. create()+sample() / bare stub",
            create_and_sample_sync(sdk, canned_port, rounds=rounds, calls=calls),
            None,
        ),
    ]
    # The 100-chunk runs warm the stream path up for the 10,000-chunk ones.
    for chunks, stream_rounds, stream_calls, warmup in (
        (100, settings.stream_rounds, 5, 1),
        (10_000, settings.big_stream_rounds, 1, 0),
    ):
        comparison = stream_sync(
            sdk, canned_port, chunks=chunks, rounds=stream_rounds, calls=stream_calls, warmup=warmup
        )
        rows.append(ratio_row(f"2. stream() {chunks} chunks / bare", comparison, 1.10, per=chunks))
    fold = accumulate_bench.seconds_per_chunk(number=50 if settings.quick else 200)
    rows.append(Row("2. chunk accumulation alone, in process", f"{fold * 1e6:.2f} µs", detail="per chunk, best of 5"))
    return rows


def import_rows(python: str, rounds: int, label: str, limit: float | None, statements: tuple[str, ...]) -> list[Row]:
    rows = []
    for measured in import_bench.measure(python, rounds=rounds, statements=statements)[1:]:
        checked = limit  # the target is for `import xai_sdk`; hold the eager imports to it too
        rows.append(
            Row(
                f"3. {label}`{measured.statement}` / `{import_bench.BASELINE}`",
                f"{measured.ratio:.2f}",
                f"≤ {checked:g}" if checked else "",
                measured.ratio <= checked if checked else None,
                f"{measured.seconds * 1e3:.0f} ms per process, {rounds} rounds",
            )
        )
    return rows


def fake_rows(ports: dict[str, int], canned_port: int, settings: Settings) -> list[Row]:
    rows = []
    for mode, label, limit in (
        ("scripted", "4. fake, scripted respond(msg) / bare servicer", 1.05),
        ("reply", "4. fake, chat.reply(text) / bare servicer", 1.10),
        ("default", "4. fake, unscripted default / bare servicer", 1.20),
    ):
        comparison = fake_bench.round_trip(ports[mode], canned_port, rounds=settings.rounds, calls=settings.calls)
        rows.append(ratio_row(label, comparison, limit))
    scoped = fake_bench.session_round_trip(ports["scripted"], rounds=settings.rounds, calls=settings.calls)
    rows.append(ratio_row("4. fake, session-scoped call / unscoped call (same script)", scoped, 1.05))
    return rows


def fixture_rows(settings: Settings) -> list[Row]:
    count = settings.suite_size
    kinds = fixture_bench.SUITES[:3] if settings.quick else fixture_bench.SUITES
    times = fixture_bench.measure(count, settings.suite_rounds, kinds)
    per_test = (times["fixture"] - times["empty"]) / count * 1e3
    per_call = (times["call"] - times["fixture"]) / count * 1e3
    # The 15 s target is for 1,000 tests; pytest's start-up does not shrink with a smaller suite.
    full_suite = count >= 1000
    detail = f"{count} tests, {settings.suite_rounds} rounds; suite medians: " + ", ".join(
        f"{kind} {seconds:.2f} s" for kind, seconds in times.items()
    )
    rows = [
        Row(
            "5. xai_fake_server fixture, per test",
            f"{per_test:.2f} ms",
            "≤ 2 ms" if full_suite else "(full run)",  # 100 tests in one round: below the noise
            per_test <= 2.0 if full_suite else None,
            detail,
        ),
        Row(
            f"5. {count} tests with one call (xai_client), total",
            f"{times['call']:.2f} s",
            "< 15 s" if full_suite else "(1,000 tests)",
            times["call"] < 15.0 if full_suite else None,
            f"ratio to {count} empty tests: {times['call'] / times['empty']:.2f}",
        ),
        Row("5. one call with a per-test client (xai_client), per test", f"{per_call:.2f} ms"),
    ]
    if "shared" in times:
        per_shared = (times["shared"] - times["fixture"]) / count * 1e3
        rows.append(Row("5. one call with a module-wide client, per test", f"{per_shared:.2f} ms"))
    return rows


def concurrency_rows(ports: dict[str, int], canned_port: int, settings: Settings) -> list[Row]:
    fake_rate, bare_rate = fake_bench.async_throughput(
        ports["scripted"], canned_port, concurrency=200, rounds=settings.concurrency_rounds
    )
    thread_fake, thread_bare = fake_bench.thread_throughput(
        ports["scripted"], canned_port, threads=16, calls=settings.thread_calls, rounds=settings.concurrency_rounds
    )
    return [
        Row(
            "7. 200 concurrent async sample(): fake / bare servicer",
            f"{fake_rate / bare_rate:.2f}",
            detail=f"{fake_rate:.0f} vs {bare_rate:.0f} calls/s",
        ),
        Row(
            "7. 16 threads of sync sample(): fake / bare servicer",
            f"{thread_fake / thread_bare:.2f}",
            detail=f"{thread_fake:.0f} vs {thread_bare:.0f} calls/s",
        ),
    ]


def schema_rows(fake_port: int, canned_port: int, settings: Settings) -> list[Row]:
    rows = schema_bench.engine_rows(settings.schema_seeds, settings.schema_rounds)
    with server("fake_proc.py", "fixed-json") as checked, server("fake_proc.py", "fixed-json", "unchecked") as free:
        calls = schema_bench.call_rows(
            fake_port, (checked, free), canned_port, rounds=settings.rounds, calls=settings.calls
        )
    return rows + calls


GROUPS = ("sdk", "official", "fake", "concurrency", "replay", "schema", "import", "fixture")
_only: set[str] = set(GROUPS)


def _section(name: str, measure: Callable[[], list[Row]]) -> list[Row]:
    """Run one benchmark group, telling stderr how long it took (the table goes to stdout)."""
    if name.rsplit(maxsplit=1)[-1] not in _only:
        return []
    start = time.perf_counter()
    rows = measure()
    print(f"[{name}: {time.perf_counter() - start:.1f} s]", file=sys.stderr, flush=True)
    return rows


def versions() -> str:
    import google.protobuf
    import grpc

    return f"Python {platform.python_version()}, grpcio {grpc.__version__}, protobuf {google.protobuf.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run under 30 s")
    parser.add_argument("--only", metavar="GROUPS", help=f"comma-separated groups to run, of {', '.join(GROUPS)}")
    arguments = parser.parse_args()
    settings = QUICK if arguments.quick else FULL
    if arguments.only:
        wanted = {name.strip() for name in arguments.only.split(",")}
        unknown = wanted - set(GROUPS)
        if unknown:
            parser.error(f"unknown group(s) {', '.join(sorted(unknown))}; use {', '.join(GROUPS)}")
        _only.intersection_update(wanted)
    official = os.environ.get("OFFICIAL_PYTHON")
    started = time.perf_counter()
    rows: list[Row] = []
    with ExitStack() as stack:
        canned_port = stack.enter_context(server("canned_server.py"))
        fake_ports = {
            mode: stack.enter_context(server("fake_proc.py", mode)) for mode in ("scripted", "reply", "default")
        }
        rows += _section("sdk", lambda: sdk_rows(canned_port, settings))
        if official:
            rows += _section("official", lambda: official_rows(official, canned_port, settings))
        rows += _section("fake", lambda: fake_rows(fake_ports, canned_port, settings))
        rows += _section("concurrency", lambda: concurrency_rows(fake_ports, canned_port, settings))
        rows += _section(
            "replay",
            lambda: replay_bench.rows(
                canned_port, settings.rounds, settings.calls, settings.load_rounds, large=not settings.quick
            ),
        )
        rows += _section("schema", lambda: schema_rows(fake_ports["default"], canned_port, settings))
    rows += _section(
        "import", lambda: import_rows(sys.executable, settings.import_rounds, "", 1.6, import_bench.STATEMENTS)
    )
    if official and not settings.quick:
        rows += _section(
            "official import",
            lambda: import_rows(
                official,
                settings.official_import_rounds,
                "official: ",
                None,
                ("import xai_sdk", "from xai_sdk import Client"),
            ),
        )
    rows += _section("fixture", lambda: fixture_rows(settings))
    print(f"{versions()}; {os.cpu_count()} CPUs; {'quick' if settings is QUICK else 'full'} run")
    print_table(rows)
    print(f"finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
