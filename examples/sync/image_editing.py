"""Edit with several reference images: generate two pictures, then combine them into one.

Run against the fake with ``xai-fake exec -- python examples/sync/image_editing.py``.
"""

from xai_sdk import Client

MODEL = "grok-imagine-image"


def main() -> None:
    with Client() as client:
        cat = client.image.sample("A ginger cat sitting upright, plain background", MODEL, image_format="base64")
        hat = client.image.sample("A tall green top hat, plain background", MODEL, image_format="url")
        print(f"references: {len(cat.image):,}-byte inline image and {hat.url}")

        # References may be data URLs (``.base64``) or ordinary URLs.
        references = [cat.base64, hat.url]
        combined = client.image.sample("The cat wearing the hat", MODEL, image_urls=references, image_format="url")
        print(f"combined: {combined.url}")

        options = client.image.sample_batch("The cat wearing the hat, as a sticker", MODEL, 2, image_urls=references)
        for index, option in enumerate(options):
            print(f"sticker {index + 1}: {option.url}")


if __name__ == "__main__":
    main()
