"""Run the SDK measurements with whatever ``xai_sdk`` this interpreter has (the official one).

``OFFICIAL_PYTHON bench/official_worker.py PORT ROUNDS CALLS STREAM_ROUNDS`` prints one JSON
object: ``{"version": ..., "unary_sync": {...}, "unary_async": {...}, "stream_100": {...}}``.
Run it from a directory that has no ``xai_sdk`` package in it (``run.py`` uses the system's
temporary directory), so the interpreter imports its own installed package.
"""

from __future__ import annotations

import json
import sys

from sdk_core import Sdk, stream_sync, unary_async, unary_sync


def main(argv: list[str]) -> None:
    port, rounds, calls, stream_rounds = (int(value) for value in argv[1:5])
    sdk = Sdk("xai_sdk.proto.v6.chat_pb2_grpc")
    result = {
        "version": str(sdk.package.__version__),
        "unary_sync": unary_sync(sdk, port, rounds=rounds, calls=calls).as_dict(),
        "unary_async": unary_async(sdk, port, rounds=rounds, calls=calls).as_dict(),
        "stream_100": stream_sync(sdk, port, chunks=100, rounds=stream_rounds, calls=3).as_dict(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
