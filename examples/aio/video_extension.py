"""Grow a video step by step: generate a clip, then extend the newest clip a few times (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/video_extension.py``.
"""

import asyncio
import datetime

from xai_sdk import AsyncClient

MODEL = "grok-imagine-video"
POLL_EVERY = datetime.timedelta(milliseconds=50)
NEXT_SCENES = [
    "The kite climbs higher and its tail catches the wind",
    "Clouds part and the sun lights up the kite",
]


async def main() -> None:
    async with AsyncClient() as client:
        clip = await client.video.generate(
            "A red kite lifting off a grassy hill", MODEL, duration=4, interval=POLL_EVERY
        )
        print(f"start: {clip.duration}s at {clip.url}")
        total = clip.duration
        for scene in NEXT_SCENES:
            try:
                clip = await client.video.extend(
                    scene,
                    MODEL,
                    clip.url,  # a URL (or a data URL) of the video to continue
                    duration=3,
                    timeout=datetime.timedelta(minutes=5),
                    interval=POLL_EVERY,
                )
            except (RuntimeError, ValueError) as error:  # the job failed or expired
                print(f"could not extend: {error}")
                break
            if not clip.respect_moderation:
                print("the extension was withheld by moderation")
                break
            total += clip.duration
            cost = f", ${clip.cost_usd:.2f}" if clip.cost_usd is not None else ""
            print(f"+{clip.duration}s{cost}: {clip.url}")
        print(f"about {total}s of video in total")


if __name__ == "__main__":
    asyncio.run(main())
