"""Browse the models your API key can use, and look one up by alias.

Run against the fake with ``xai-fake exec -- python examples/sync/models.py``.
"""

from xai_sdk import Client

USD_PER_UNIT = 1e-10  # prices come in 1e-10 USD per token (per image for image models)


def main() -> None:
    with Client() as client:
        print("Language models:")
        for model in client.models.list_language_models():
            per_million = model.completion_text_token_price * USD_PER_UNIT * 1e6
            print(f"  {model.name:32} context {model.max_prompt_length:>9,}  output ${per_million:.2f}/M tokens")

        print("Embedding models:", ", ".join(m.name for m in client.models.list_embedding_models()))
        print("Image models:", ", ".join(m.name for m in client.models.list_image_generation_models()))

        first = client.models.list_language_models()[0]
        by_alias = client.models.get_language_model(first.aliases[0])
        print(
            f"{first.aliases[0]!r} is an alias of {by_alias.name!r} (created {by_alias.created.ToDatetime():%Y-%m-%d})"
        )

        image_model = client.models.get_image_generation_model("grok-imagine-image")
        print(f"{image_model.name}: ${image_model.image_price * USD_PER_UNIT:.3f} per image")


if __name__ == "__main__":
    main()
