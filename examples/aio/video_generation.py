"""Generate a few videos at once with the asyncio client; one failure does not stop the others.

Run against the fake with ``xai-fake exec -- python examples/aio/video_generation.py``.
"""

import asyncio
import datetime

from xai_sdk import AsyncClient
from xai_sdk.video import VideoGenerationError

MODEL = "grok-imagine-video"
PROMPTS = ["Waves rolling onto a beach", "A candle flickering in the dark", "Leaves falling in a park"]


async def main() -> None:
    async with AsyncClient() as client:
        jobs = [
            client.video.generate(prompt, MODEL, duration=3, interval=datetime.timedelta(milliseconds=200))
            for prompt in PROMPTS
        ]
        for prompt, outcome in zip(PROMPTS, await asyncio.gather(*jobs, return_exceptions=True), strict=True):
            if isinstance(outcome, VideoGenerationError):
                print(f"{prompt!r}: failed ({outcome.code})")
            elif isinstance(outcome, BaseException):
                print(f"{prompt!r}: {outcome}")
            else:
                print(f"{prompt!r}: {outcome.duration}s at {outcome.url}")


if __name__ == "__main__":
    asyncio.run(main())
