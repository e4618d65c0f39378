"""Browse the models your API key can use, with the asyncio client, fetching the lists concurrently.

Run against the fake with ``xai-fake exec -- python examples/aio/models.py``.
"""

import asyncio

from xai_sdk import AsyncClient

USD_PER_UNIT = 1e-10  # prices come in 1e-10 USD per token (per image for image models)


async def main() -> None:
    async with AsyncClient() as client:
        language, embedding, image = await asyncio.gather(
            client.models.list_language_models(),
            client.models.list_embedding_models(),
            client.models.list_image_generation_models(),
        )
        print("Language models:")
        for model in language:
            per_million = model.completion_text_token_price * USD_PER_UNIT * 1e6
            print(f"  {model.name:32} context {model.max_prompt_length:>9,}  output ${per_million:.2f}/M tokens")
        print("Embedding models:", ", ".join(m.name for m in embedding))
        print("Image models:", ", ".join(m.name for m in image))

        by_alias = await client.models.get_embedding_model(embedding[0].aliases[0])
        print(f"{embedding[0].aliases[0]!r} is an alias of {by_alias.name!r}")


if __name__ == "__main__":
    asyncio.run(main())
