"""Generate images: one inline as base64, a few behind URLs, and an edit of the first.

Run against the fake with ``xai-fake exec -- python examples/sync/image_generation.py``.
Downloading images from their URL needs httpx (``pip install 'xai-devkit[http]'``).
"""

import tempfile
from pathlib import Path

from xai_sdk import Client

MODEL = "grok-imagine-image"


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="xai-images-"))
    with Client() as client:
        poster = client.image.sample(
            "A retro travel poster of a lighthouse on a cliff", MODEL, image_format="base64", aspect_ratio="3:4"
        )
        (out / "poster.png").write_bytes(poster.image)
        cost = f"${poster.cost_usd:.3f}" if poster.cost_usd is not None else "not reported"
        print(f"poster: {len(poster.image):,} bytes from {poster.model}, cost {cost}")

        variants = client.image.sample_batch("Three paper boats on a pond", MODEL, 3, aspect_ratio="16:9")
        for index, variant in enumerate(variants):
            (out / f"boat-{index}.png").write_bytes(variant.image)  # downloaded from variant.url
            print(f"boat {index}: {variant.url}")

        edited = client.image.sample("The same poster, at night", MODEL, image_url=poster.base64)
        (out / "poster-night.png").write_bytes(edited.image)
    print(f"saved {len(list(out.iterdir()))} images in {out}")


if __name__ == "__main__":
    main()
