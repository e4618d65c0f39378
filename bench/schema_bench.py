"""Schema engine (8): generation plus validation over the test corpus, and a structured-output call.

The engine rows time ``xai_fake.schema.generate_text(text, rng, words)`` (generate a value, then
validate it with the schema's cached ``jsonschema`` validator) over every schema of
``tests/fake/schema/corpus.py``, in a child process of their own so that first calls are really
first: ``python bench/schema_bench.py engine SEEDS ROUNDS`` prints the timings as JSON. Per schema,
one cold call (a seed of its own) compiles and caches the validator; then each of seeds 0..SEEDS-1
is timed ROUNDS times back to back, and the best of those is that (schema, seed)'s warm figure (a
seed makes the same value with the same work every time: what differs is the machine's noise).
Percentiles are nearest-rank over all (schema, seed) figures.

The call rows time a sync ``chat.sample()`` with ``response_format`` set to the JSON schema of
:class:`Order` (a pydantic v2 model: a constrained string, an enum, a nested object, bounds, a list)
against the unscripted fake (A) and against the bare canned servicer, which answers a fixed JSON (B).

    python bench/schema_bench.py                 # the engine rows alone, as a table
    python bench/schema_bench.py profile [corpus|order] [SEEDS]   # cProfile: top xai_fake.schema entries
"""

from __future__ import annotations

import cProfile
import json
import math
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from enum import Enum
from functools import lru_cache
from typing import Any

import canned
from abtiming import Comparison, alternate
from procs import BENCH
from report import Row, print_table, ratio_row

REPO = BENCH.parent
WORDS = ["alpha", "beta", "gamma"]
COLD_SEED = 1_000_003  # not one of the warm seeds, so no warm figure repeats the cold call's input
P50_LIMIT_MS = 0.5
P99_LIMIT_MS = 5.0
CALL_LIMIT = 1.3
#: Seeds of the ``Order`` schema's own warm figure, per corpus seed.
ORDER_SEEDS_PER_SEED = 10
#: Warms the imports (jsonschema and its format checkers, rstr) before the first corpus schema.
PRIMER = {
    "type": "object",
    "properties": {"a": {"type": "string", "pattern": "^a+$"}, "b": {"type": "string", "format": "date-time"}},
    "required": ["a", "b"],
}


@lru_cache(maxsize=1)
def order_model() -> Any:
    """The pydantic v2 model of the structured-output call (built on first use: pydantic is slow to import)."""
    from pydantic import BaseModel, Field

    class Status(str, Enum):
        PENDING = "pending"
        SHIPPED = "shipped"
        DELIVERED = "delivered"

    class Address(BaseModel):
        street: str
        city: str
        postcode: str = Field(pattern=r"^\d{5}$")

    class Order(BaseModel):
        order_id: str = Field(pattern=r"^ORD-\d{6}$")
        customer: str = Field(min_length=2, max_length=40)
        status: Status
        quantity: int = Field(ge=1, le=100)
        total: float = Field(ge=0)
        shipping: Address
        tags: list[str] = Field(default_factory=list, max_length=5)

    return Order


# -- the engine, in the child process ------------------------------------------------------------


def _corpus() -> list[tuple[str, Any, Any]]:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.fake.schema.corpus import corpus

    return corpus()


def _best(text: str, seed: int, rounds: int) -> float:
    """The least of ``rounds`` timings of one warm call: the same seed does the same work, the rest is noise."""
    from xai_fake.schema import generate_text

    times = []
    for _ in range(rounds):
        rng = random.Random(seed)
        start = time.perf_counter()
        generate_text(text, rng, WORDS)
        times.append(time.perf_counter() - start)
    return min(times)


def engine(seeds: int, rounds: int) -> dict[str, Any]:
    """Cold and warm seconds of ``generate_text`` per corpus schema, and the schemas it refuses."""
    from xai_fake.schema import Unsatisfiable, generate_text
    from xai_fake.schema.lazy_formats import import_jsonschema

    start = time.perf_counter()
    import_jsonschema()  # what the first call imports (rfc3987_syntax's IRI grammar not yet), timed on its own
    imports = time.perf_counter() - start
    schemas = _corpus()
    start = time.perf_counter()
    generate_text(json.dumps(PRIMER), random.Random(0), WORDS)
    first = time.perf_counter() - start + imports
    cold: list[tuple[str, float]] = []
    warm: list[tuple[str, int, float]] = []
    refused: list[tuple[str, str]] = []
    for name, schema, _model in schemas:
        text = json.dumps(schema)
        try:
            start = time.perf_counter()
            generate_text(text, random.Random(COLD_SEED), WORDS)
            cold.append((name, time.perf_counter() - start))
            warm.extend((name, seed, _best(text, seed, rounds)) for seed in range(seeds))
        except Unsatisfiable as error:
            refused.append((name, f"{type(error).__name__}: {error}"))
    order = order_text()
    generate_text(order, random.Random(COLD_SEED), WORDS)
    order_times = [_best(order, seed, rounds) for seed in range(ORDER_SEEDS_PER_SEED * seeds)]
    return {
        "schemas": len(schemas), "refused": refused, "first": first, "imports": imports,
        "cold": cold, "warm": warm, "order": order_times,
    }  # fmt: skip


def order_text() -> str:
    """The ``Order`` schema as the SDK sends it for ``response_format=Order``."""
    return json.dumps(order_model().model_json_schema())


def profile(what: str, seeds: int, top: int = 25) -> None:
    """cProfile of the warm calls of the engine rows: seeds 0..``seeds``-1 per corpus schema (or ``Order``).

    The first call per schema (the cold one) runs with the profiler off, as in :func:`engine`.
    Prints the top cumulative entries under ``xai_fake/schema/``, then the top entries overall.
    """
    from xai_fake.schema import Unsatisfiable, generate_text

    corpus = [] if what == "order" else _corpus()
    texts = [json.dumps(schema) for _name, schema, _model in corpus] or [order_text()]
    generate_text(json.dumps(PRIMER), random.Random(0), WORDS)
    profiler = cProfile.Profile()
    for text in texts:
        try:
            generate_text(text, random.Random(COLD_SEED), WORDS)
            profiler.enable()
            for seed in range(seeds):
                generate_text(text, random.Random(seed), WORDS)
        except Unsatisfiable:
            pass
        finally:
            profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"xai_fake[/\\]schema", top)
    stats.sort_stats("cumulative").print_stats(top)


# -- rows, in run.py's process ---------------------------------------------------------------------


def _rank(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"


def _names(names: list[str], shown: int = 4) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return (", ".join(names[:shown]) or "none") + more


def engine_rows(seeds: int, rounds: int) -> list[Row]:
    """The engine rows, from ``engine`` run in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, str(BENCH / "schema_bench.py"), "engine", str(seeds), str(rounds)],
        cwd=REPO, stdout=subprocess.PIPE, text=True, check=True,  # its stderr (a traceback) goes to ours
    )  # fmt: skip
    result = json.loads(completed.stdout)
    warm = sorted(seconds for _name, _seed, seconds in result["warm"])
    cold = sorted(seconds for _name, seconds in result["cold"])
    per_schema: dict[str, list[float]] = {}
    for name, _seed, seconds in result["warm"]:
        per_schema.setdefault(name, []).append(seconds)
    slowest = max(per_schema, key=lambda name: statistics.median(per_schema[name]))
    worst_name, worst_seed, worst = max(result["warm"], key=lambda entry: entry[2])
    cold_name, cold_worst = max(result["cold"], key=lambda entry: entry[1])
    first_iri = next((name for name, _seconds in result["cold"] if name.startswith("format-iri")), "none")
    p50, p99 = _rank(warm, 0.50), _rank(warm, 0.99)
    order = sorted(result["order"])
    over = sorted((entry for entry in result["warm"] if entry[2] * 1e3 > P99_LIMIT_MS), key=lambda entry: -entry[2])
    over_schemas = list(dict.fromkeys(name for name, _seed, _seconds in over))
    refused = result["refused"]
    answered = result["schemas"] - len(refused)
    return [
        Row(
            "8. schema engine, warm generate+validate, p50",
            _ms(p50),
            f"≤ {P50_LIMIT_MS:g} ms",
            p50 * 1e3 <= P50_LIMIT_MS,
            f"{len(warm)} calls: {answered} schemas x {seeds} seeds, best of {rounds} each",
        ),
        Row(
            "8. schema engine, warm generate+validate, p99",
            _ms(p99),
            f"≤ {P99_LIMIT_MS:g} ms",
            p99 * 1e3 <= P99_LIMIT_MS,
            f"slowest schema {slowest} (median {_ms(statistics.median(per_schema[slowest]))}); "
            f"{len(over)} calls over {P99_LIMIT_MS:g} ms, in {_names(over_schemas)}",
        ),
        Row(
            "8. schema engine, warm generate+validate, max",
            _ms(worst),
            detail=f"{worst_name}, seed {worst_seed}",
        ),
        Row(
            "8. schema engine, warm, the Order schema of the call rows, p50",
            _ms(_rank(order, 0.50)),
            detail=f"p90 {_ms(_rank(order, 0.90))}, max {_ms(order[-1])}; {len(order)} seeds, best of {rounds} each",
        ),
        Row(
            "8. schema engine, cold: first call per schema, p50 / p99 / max",
            f"{_ms(_rank(cold, 0.50))} / {_ms(_rank(cold, 0.99))} / {_ms(cold[-1])}",
            detail=f"compile + cache the validator + one value; max: {cold_name} ({_ms(cold_worst)})"
            + f"; the first iri schema ({first_iri}) also builds rfc3987_syntax's grammar",
        ),
        Row(
            "8. schema engine, first call in a fresh process",
            _ms(result["first"]),
            detail=f"of which `import jsonschema` {_ms(result['imports'])} (its IRI grammar deferred);"
            " then rstr, a 2-property schema",
        ),
        Row(
            "8. corpus schemas the engine refuses (Unsatisfiable)",
            str(len(refused)),
            "0",
            not refused,
            f"of {result['schemas']}" + (": " + "; ".join(name for name, _why in refused[:5]) if refused else ""),
        ),
    ]


def _chats(client: Any, count: int, distinct: bool, structured: bool = True) -> Iterator[Any]:
    """``count`` chats asking for an ``Order`` (or, not ``structured``, for text): each its own prompt
    (``distinct``) or one chat again and again."""
    from xai_sdk.chat import user

    wanted = {"response_format": order_model()} if structured else {}

    def create(prompt: str) -> Any:
        return client.chat.create(model=canned.MODEL, messages=[user(prompt)], **wanted)

    if not distinct:
        chat = create("Make up an order.")
        return iter([chat] * count)
    return iter([create(f"Make up order number {index}.") for index in range(count)])


def sample_call(
    fake_port: int, bare_port: int, *, rounds: int, calls: int, distinct: bool, structured: bool = True
) -> Comparison:
    """``chat.sample()`` with the ``Order`` schema as ``response_format`` (or none, not ``structured``):
    the fake on ``fake_port`` (A), the bare canned servicer (B)."""
    from xai_sdk import Client

    order = order_model()
    order.model_validate_json(canned.JSON_TEXT)  # the canned side's answer is a valid Order too
    warmup = 3
    count = warmup + rounds * calls + 1
    with (
        Client(api_key="bench", api_host=f"127.0.0.1:{fake_port}") as fake,
        Client(api_key="bench", api_host=f"127.0.0.1:{bare_port}") as bare,
    ):
        fake_chats = _chats(fake, count, distinct, structured)
        bare_chats = _chats(bare, count, distinct, structured)
        first = next(fake_chats).sample().content
        if structured:
            order.model_validate_json(first)  # the fake answers a valid Order
        next(bare_chats)

        def through(chats: Iterator[Any]) -> Callable[[], object]:
            return lambda: next(chats).sample()

        return alternate(through(fake_chats), through(bare_chats), rounds=rounds, calls=calls, warmup=warmup)


def call_rows(fake_port: int, fixed_ports: tuple[int, int], bare_port: int, *, rounds: int, calls: int) -> list[Row]:
    """The structured-output call, a new prompt per call (the engine works every time) and one repeated;
    then what bounds the first from below: the fake's text answer to a new prompt, and a structured
    answer whose value is free, with its ``jsonschema`` check and without (``fixed_ports``: of
    ``fake_proc.py fixed-json`` and ``fixed-json unchecked``)."""
    fresh = sample_call(fake_port, bare_port, rounds=rounds, calls=calls, distinct=True)
    again = sample_call(fake_port, bare_port, rounds=rounds, calls=calls, distinct=False)
    text = sample_call(fake_port, bare_port, rounds=rounds, calls=calls, distinct=True, structured=False)
    checked = sample_call(fixed_ports[0], bare_port, rounds=rounds, calls=calls, distinct=True)
    unchecked = sample_call(fixed_ports[1], bare_port, rounds=rounds, calls=calls, distinct=True)
    return [
        ratio_row("8. fake, structured sample() (Order schema), new prompt per call / bare", fresh, CALL_LIMIT),
        ratio_row("8. fake, structured sample() (Order schema), same request again / bare", again, None),
        ratio_row("8. floor: fake, text sample() (no schema), new prompt per call / bare", text, None),
        ratio_row("8. floor: fake, a fixed valid Order checked by jsonschema, new prompt / bare", checked, None),
        ratio_row("8. floor: fake, the same fixed Order unchecked, new prompt / bare", unchecked, None),
    ]


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "rows"
    if command == "engine":
        json.dump(engine(int(argv[1]), int(argv[2])), sys.stdout)
    elif command == "profile":
        profile(argv[1] if len(argv) > 1 else "corpus", int(argv[2]) if len(argv) > 2 else 5)
    elif command == "rows":
        print_table(engine_rows(5, 3))
    else:
        raise SystemExit(f"unknown command {command!r}; use engine SEEDS ROUNDS, profile [corpus|order] [SEEDS]")


if __name__ == "__main__":
    main(sys.argv[1:])
