#!/usr/bin/env python3
"""Record the sample cassettes in ``cassettes/samples/``.

Usage::

    python scripts/record_sample_cassettes.py            # rewrite cassettes/samples/
    python scripts/record_sample_cassettes.py OUT_DIR    # write them elsewhere

The samples are recorded through the recording proxy (``FakeServer(record_mode="all")``)
against a LOCAL upstream: another, seeded and scripted ``FakeServer`` standing in for
api.x.ai. No network and no real key are involved; the answers are the upstream's
scripts. ``tests/cassette/test_sample_cassettes.py`` replays them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xai_fake import FakeServer
from xai_sdk.chat import user

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "cassettes" / "samples"
KEY = "sample-recording-key"  # what the client sends; redacted before anything is written

CAPITAL_QUESTION = "What is the capital of France?"
CAPITAL_ANSWER = "The capital of France is Paris."
HAIKU_QUESTION = "Write a haiku about gRPC."
HAIKU_CHUNKS = ["Bytes cross the wire,\n", "streams of protobuf flowing,\n", "status OK: done."]
UPLOAD_NAME = "notes.txt"
UPLOAD_DATA = b"Cassettes record gRPC calls once and replay them offline.\n"


def record(directory: Path) -> list[Path]:
    """Record the samples into ``directory``; return the written paths."""
    written = []
    with FakeServer(seed=2024) as upstream:
        upstream.chat.reply(CAPITAL_ANSWER, times=1)
        path = directory / "chat_sample.pb"
        with (
            FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy,
            proxy.client(api_key=KEY) as client,
        ):
            client.chat.create("grok-4", messages=[user(CAPITAL_QUESTION)]).sample()
        written.append(path)

        upstream.chat.stream(HAIKU_CHUNKS, delay=0.02, times=1)
        path = directory / "chat_stream.txtpb"
        with (
            FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy,
            proxy.client(api_key=KEY) as client,
        ):
            for _ in client.chat.create("grok-4", messages=[user(HAIKU_QUESTION)]).stream():
                pass
        written.append(path)

        path = directory / "file_upload.pb"
        with (
            FakeServer(cassette=path, record_mode="all", upstream=upstream.address) as proxy,
            proxy.client(api_key=KEY) as client,
        ):
            client.files.upload(UPLOAD_DATA, filename=UPLOAD_NAME)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out_dir", nargs="?", type=Path, default=SAMPLES, help=f"where to write them (default: {SAMPLES})"
    )
    directory: Path = parser.parse_args(argv).out_dir
    if not directory.is_dir():
        parser.error(f"{directory} is not a directory: create it first, or leave OUT_DIR out")
    for path in record(directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
