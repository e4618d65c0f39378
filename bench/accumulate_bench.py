"""In-process cost of folding stream chunks into a response, without any network.

It isolates the SDK's own per-chunk work in ``chat.stream()`` (the accumulator), which the
end-to-end streaming ratio measures under the server's and the transport's noise.
"""

from __future__ import annotations

import timeit

import canned

from xai_sdk._chat.response import StreamAccumulator


def seconds_per_chunk(chunks: int = 100, number: int = 200, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per chunk to fold ``chunks`` chunks, reading the response as users do."""
    messages = canned.chunks(chunks)

    def fold() -> str:
        accumulator = StreamAccumulator(0)
        for message in messages:
            accumulator.add(message)
        return accumulator.response.content

    fold()
    return min(timeit.repeat(fold, number=number, repeat=repeat)) / number / chunks
