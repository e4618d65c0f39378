"""Profile the hot paths behind the benchmark figures; writes ``bench/profiles/*.txt``.

    pip install pyinstrument
    python bench/hotspots.py [NAME ...]     # default: every profile

Each profile is a pyinstrument call tree (text) of one path, so a fix can be checked
before and after with the same command:

- ``stream``: the client side of ``chat.stream()`` over 100-chunk streams;
- ``accumulate``: the chunk accumulator alone, field by field (timeit, no profiler);
- ``client``: ``Client(...)`` construction and ``close()``;
- ``fake_default`` / ``fake_reply`` / ``fake_scripted``: the fake server's event loop while a
  bare-stub client in another process makes 2,000 calls;
- ``cassette_text`` / ``cassette_binary``: loading a 1,000-interaction cassette;
- ``replay_find``: matching a call against a 1,000-interaction cassette;
- ``imports``: ``python -X importtime -c "from xai_sdk import Client"``, grouped.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

import canned
import fake_bench
import replay_bench
from procs import BENCH, server
from pyinstrument import Profiler
from sdk_core import API_KEY, Sdk

OUT = BENCH / "profiles"


def _write(name: str, text: str) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.txt").write_text(text)
    print(f"wrote {OUT / name}.txt")


def _profiled(function: Callable[[], object], interval: float = 0.0002) -> str:
    profiler = Profiler(interval=interval)
    profiler.start()
    function()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False)


def stream() -> None:
    sdk = Sdk("xai_sdk.proto.chat_pb2_grpc")
    with server("canned_server.py") as port:
        client = sdk.package.Client(api_key=API_KEY, api_host=f"127.0.0.1:{port}", use_insecure_channel=True)
        chat = sdk.new_chat(client, max_tokens=100)

        def run(times: int) -> None:
            for _ in range(times):
                for _pair in chat.stream():
                    pass

        run(5)
        _write("stream_100_sdk", _profiled(lambda: run(200)))
        client.close()


def accumulate() -> None:
    from xai_sdk._chat.response import Chunk, StreamAccumulator, output_index
    from xai_sdk.proto import chat_pb2

    chunk = canned.chunks(100)[0]
    accumulator = StreamAccumulator(0)
    proto = chat_pb2.GetChatCompletionResponse()
    message = proto.outputs.add(index=0).message
    delta = chunk.outputs[0].delta

    def copy_messages() -> None:
        proto.created.CopyFrom(chunk.created)
        proto.usage.CopyFrom(chunk.usage)

    def copy_scalars() -> None:
        proto.id = chunk.id
        proto.model = chunk.model
        proto.system_fingerprint = chunk.system_fingerprint

    parts: dict[str, Callable[[], object]] = {
        "StreamAccumulator.add (total)": lambda: accumulator.add(chunk),
        "StreamAccumulator._fold": lambda: accumulator._fold(chunk),
        "output_index(0, outputs)": lambda: output_index(0, chunk.outputs),
        "Chunk(proto, 0)": lambda: Chunk(chunk, 0),
        "proto.citations.extend(<empty>)": lambda: proto.citations.extend(chunk.citations),
        "message.tool_calls.extend(<empty>)": lambda: message.tool_calls.extend(delta.tool_calls),
        "message.citations.extend(<empty>)": lambda: message.citations.extend(delta.citations),
        "max(part.index for part in outputs)": lambda: max(part.index for part in chunk.outputs),
        "created.CopyFrom + usage.CopyFrom": copy_messages,
        "3 scalar copies (id, model, fingerprint)": copy_scalars,
        "len(<empty repeated>) (a guard)": lambda: len(delta.tool_calls),
    }
    lines = ["Per-chunk costs in StreamAccumulator (best of 5 x 20,000, microseconds):"]
    for label, function in parts.items():
        seconds = min(timeit.repeat(function, number=20_000, repeat=5)) / 20_000
        lines.append(f"  {seconds * 1e6:6.2f}  {label}")
    _write("stream_accumulator", "\n".join(lines) + "\n")


def client() -> None:
    from xai_sdk import Client

    def build(times: int) -> None:
        for _ in range(times):
            Client(api_key=API_KEY, api_host="127.0.0.1:1").close()

    build(10)
    _write("client_construction", _profiled(lambda: build(300), 0.0001))


_DRIVER = """
import sys
sys.path.insert(0, sys.argv[3])
import grpc
import fake_bench
from sdk_core import BARE_METADATA, TIMEOUT
from xai_sdk.proto import chat_pb2_grpc
stub = chat_pb2_grpc.ChatStub(grpc.insecure_channel(sys.argv[1]))
message = fake_bench.request()
for _ in range(int(sys.argv[2])):
    stub.GetCompletion(message, metadata=BARE_METADATA, timeout=TIMEOUT)
"""


async def _fake(mode: str, cassette: Path | None = None) -> str:
    from xai_fake import FakeServer

    fake = FakeServer(cassette=cassette, allow_playback_repeats=True) if cassette else FakeServer()
    await fake.start_async()
    if mode == "reply":
        fake.chat.reply(canned.TEXT)
    elif mode == "scripted":
        fake.script("Chat/GetCompletion").respond(canned.response())

    async def drive(calls: int) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _DRIVER, fake.address, str(calls), str(BENCH)
        )
        await process.wait()

    await drive(100)
    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    await drive(2000)
    profiler.stop()
    await fake.stop_async(0)
    return profiler.output_text(unicode=False, color=False)


def fake_default() -> None:
    _write("fake_server_default", asyncio.run(_fake("default")))


def fake_reply() -> None:
    _write("fake_server_reply", asyncio.run(_fake("reply")))


def fake_scripted() -> None:
    _write("fake_server_scripted", asyncio.run(_fake("scripted")))


def fake_replay() -> None:
    with tempfile.TemporaryDirectory() as root:
        _text, binary = _cassettes(Path(root))
        _write("fake_server_replay_1000", asyncio.run(_fake("replay", binary)))


def _cassettes(root: Path) -> tuple[Path, Path]:
    big = replay_bench.LOAD_INTERACTIONS
    return (
        replay_bench.write_cassette(root / "large.txtpb", big),
        replay_bench.write_cassette(root / "large.pb", big),
    )


def cassette_text() -> None:
    from xai_fake.cassette import load

    with tempfile.TemporaryDirectory() as root:
        text, _binary = _cassettes(Path(root))
        load(text)
        _write("cassette_load_text", _profiled(lambda: [load(text) for _ in range(3)], 0.0005))


def cassette_binary() -> None:
    from xai_fake.cassette import load

    with tempfile.TemporaryDirectory() as root:
        _text, binary = _cassettes(Path(root))
        load(binary)
        _write("cassette_load_binary", _profiled(lambda: [load(binary) for _ in range(10)]))


def replay_find() -> None:
    from xai_fake.cassette import Player, load
    from xai_fake.methods import resolve_method

    with tempfile.TemporaryDirectory() as root:
        _text, binary = _cassettes(Path(root))
        player = Player(load(binary), binary, allow_playback_repeats=True)
    method = resolve_method("Chat/GetCompletion")
    requests = [fake_bench.request()]
    assert player.find(method, requests) is not None
    _write("replay_find_1000", _profiled(lambda: [player.find(method, requests) for _ in range(300)]))


def _import_times(statement: str) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    times: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, _cumulative, name = line.removeprefix("import time:").split("|")
            times[name.strip()] = int(self_us)
    return times


def imports() -> None:
    for _ in range(2):  # warm bytecode caches
        ours, baseline = _import_times("from xai_sdk import Client"), _import_times("import grpc, google.protobuf")
    extra = {name: us for name, us in ours.items() if name not in baseline}
    lines = [
        "python -X importtime: self time of the modules that `from xai_sdk import Client` imports",
        "and `import grpc, google.protobuf` does not (one run, microseconds):",
        f"  total self time: ours {sum(ours.values())}, baseline {sum(baseline.values())}, extra {sum(extra.values())}",
        "",
    ]
    lines += [f"  {us:7d}  {name}" for name, us in sorted(extra.items(), key=lambda item: -item[1])[:40]]
    _write("import_from_xai_sdk_import_client", "\n".join(lines) + "\n")


PROFILES: dict[str, Callable[[], None]] = {
    "stream": stream,
    "accumulate": accumulate,
    "client": client,
    "fake_default": fake_default,
    "fake_reply": fake_reply,
    "fake_scripted": fake_scripted,
    "cassette_text": cassette_text,
    "cassette_binary": cassette_binary,
    "replay_find": replay_find,
    "fake_replay": fake_replay,
    "imports": imports,
}


def main(names: list[str]) -> None:
    unknown = [name for name in names if name not in PROFILES]
    if unknown:
        raise SystemExit(f"unknown profile(s) {', '.join(unknown)}; choose from {', '.join(PROFILES)}")
    for name in names or list(PROFILES):
        PROFILES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
