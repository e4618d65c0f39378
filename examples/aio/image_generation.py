"""Generate several images concurrently with the asyncio client and save them.

Run against the fake with ``xai-fake exec -- python examples/aio/image_generation.py``.
On the async client ``response.image`` is awaitable: inline images decode at once,
URLs are downloaded (which needs httpx: ``pip install 'xai-devkit[http]'``).
"""

import asyncio
import tempfile
from pathlib import Path

from xai_sdk import AsyncClient

MODEL = "grok-imagine-image"
PROMPTS = ["A fox in the snow", "A city skyline in fog", "A bowl of ramen, top-down"]


async def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="xai-images-"))
    async with AsyncClient() as client:
        responses = await asyncio.gather(*(client.image.sample(p, MODEL, resolution="1k") for p in PROMPTS))
        images = await asyncio.gather(*(response.image for response in responses))
        for prompt, response, data in zip(PROMPTS, responses, images, strict=True):
            path = out / (prompt.split(",")[0].lower().replace(" ", "-") + ".png")
            path.write_bytes(data)
            print(f"{prompt!r}: {len(data):,} bytes from {response.url}")


if __name__ == "__main__":
    asyncio.run(main())
