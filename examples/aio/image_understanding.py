"""Show the model an image: a PNG drawn right here, sent inline as a ``data:`` URL (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/image_understanding.py``.
"""

import asyncio
import base64
import struct
import zlib

from xai_sdk import AsyncClient
from xai_sdk.chat import image, user

MODEL = "grok-4.20-non-reasoning"


def flag_png(width: int = 12, height: int = 8) -> bytes:
    """A tiny PNG of three vertical stripes (blue, white, red), built with zlib and struct."""
    stripes = [(0, 85, 164), (255, 255, 255), (239, 65, 53)]
    rows = b"".join(b"\x00" + b"".join(bytes(stripes[x * 3 // width]) for x in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def main() -> None:
    picture = flag_png()
    data_url = "data:image/png;base64," + base64.b64encode(picture).decode()
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL)
        chat.append(user("Which colours does this picture show, from left to right?", image(data_url, detail="low")))
        response = await chat.sample()
        print(f"sent a {len(picture)}-byte PNG; Grok says: {response.content}")
        print(f"the prompt cost {response.usage.prompt_tokens} tokens (images count too)")

        # Several images in one message work the same way.
        chat.append(response)
        chat.append(user("Is this the same picture?", image(data_url), image(data_url, detail="high")))
        print(f"follow-up: {(await chat.sample()).content}")


if __name__ == "__main__":
    asyncio.run(main())
