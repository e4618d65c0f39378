"""Small, real PNG images made with the standard library only (zlib, struct, crc32)."""

from __future__ import annotations

import random
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONG_SIDE = 64


def dimensions(width_ratio: float, height_ratio: float, long_side: int = LONG_SIDE) -> tuple[int, int]:
    """``(width, height)`` with the given aspect ratio and ``long_side`` pixels on its longer side."""
    if width_ratio >= height_ratio:
        return long_side, max(1, round(long_side * height_ratio / width_ratio))
    return max(1, round(long_side * width_ratio / height_ratio)), long_side


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(rng: random.Random, width: int = LONG_SIDE, height: int = LONG_SIDE) -> bytes:
    """An 8-bit RGB PNG: a seeded two-colour gradient with a little noise."""
    if width < 1 or height < 1:
        raise ValueError(f"a PNG needs at least 1x1 pixels, got {width}x{height}")
    start = [rng.randrange(256) for _ in range(3)]
    end = [rng.randrange(256) for _ in range(3)]
    span = max(1, width + height - 2)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type "None" for every scanline
        for x in range(width):
            t = (x + y) / span
            for channel in range(3):
                value = start[channel] + (end[channel] - start[channel]) * t + rng.randint(-8, 8)
                rows.append(min(255, max(0, int(value))))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit depth, truecolour
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows))) + _chunk(b"IEND", b"")
