"""Generate a short video, extend it, and handle the ways a video job can end.

Run against the fake with ``xai-fake exec -- python examples/sync/video_generation.py``.
"""

import datetime
import time

from xai_sdk import Client
from xai_sdk.proto import deferred_pb2
from xai_sdk.video import VideoGenerationError

MODEL = "grok-imagine-video"
POLL_EVERY = datetime.timedelta(milliseconds=200)


def main() -> None:
    with Client() as client:
        try:
            clip = client.video.generate(
                "A paper airplane gliding over a city at sunrise",
                MODEL,
                duration=5,
                aspect_ratio="16:9",
                resolution="720p",
                timeout=datetime.timedelta(minutes=5),
                interval=POLL_EVERY,
            )
        except VideoGenerationError as error:
            print(f"generation failed with {error.code}: {error.message}")
            return
        except (RuntimeError, TimeoutError) as error:  # expired, or still running after the timeout
            print(f"no video: {error}")
            return
        print(f"{clip.duration}s video at {clip.url}")
        if clip.cost_usd is not None:
            print(f"cost ${clip.cost_usd:.2f}")

        longer = client.video.extend(
            "The airplane lands on a rooftop", MODEL, clip.url, duration=3, interval=POLL_EVERY
        )
        print(f"extension: {longer.duration}s more at {longer.url}")

        # The same job step by step: start it, then poll it yourself.
        started = client.video.start("Rain on a window", MODEL, duration=2)
        while (status := client.video.get(started.request_id)).status == deferred_pb2.PENDING:
            print(f"  {started.request_id}: {status.response.progress}% done")
            time.sleep(POLL_EVERY.total_seconds())
        name = deferred_pb2.DeferredStatus.Name(status.status)
        print(f"  {started.request_id}: {name} -> {status.response.video.url}")


if __name__ == "__main__":
    main()
