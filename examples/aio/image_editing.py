"""Edit with several reference images: generate two pictures, then combine them into one (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/image_editing.py``.
"""

import asyncio

from xai_sdk import AsyncClient

MODEL = "grok-imagine-image"


async def main() -> None:
    async with AsyncClient() as client:
        cat = await client.image.sample("A ginger cat sitting upright, plain background", MODEL, image_format="base64")
        hat = await client.image.sample("A tall green top hat, plain background", MODEL, image_format="url")
        inline = await cat.image  # on the async client the bytes are awaited
        print(f"references: {len(inline):,}-byte inline image and {hat.url}")

        # References may be data URLs (``.base64``) or ordinary URLs.
        references = [cat.base64, hat.url]
        combined = await client.image.sample(
            "The cat wearing the hat", MODEL, image_urls=references, image_format="url"
        )
        print(f"combined: {combined.url}")

        options = await client.image.sample_batch(
            "The cat wearing the hat, as a sticker", MODEL, 2, image_urls=references
        )
        for index, option in enumerate(options):
            print(f"sticker {index + 1}: {option.url}")


if __name__ == "__main__":
    asyncio.run(main())
