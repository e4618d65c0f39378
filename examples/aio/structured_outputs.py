"""Get an answer as a validated pydantic object with ``chat.parse`` (async client).

Needs pydantic. Run against the fake with ``xai-fake exec -- python examples/aio/structured_outputs.py``.
"""

import asyncio

from pydantic import BaseModel, Field

from xai_sdk import AsyncClient
from xai_sdk.chat import system, user

MODEL = "grok-4.20-non-reasoning"


class Ingredient(BaseModel):
    name: str
    grams: int = Field(description="Weight in grams")


class Recipe(BaseModel):
    title: str
    servings: int
    ingredients: list[Ingredient]
    vegetarian: bool


async def main() -> None:
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL, messages=[system("You turn cooking notes into structured recipes.")])
        chat.append(user("Pancakes for four: 250 g flour, 2 eggs (about 100 g), 500 g milk, a pinch of salt."))
        response, recipe = await chat.parse(Recipe)  # the schema is sent; the answer is validated against it
        print(f"raw JSON: {response.content[:80]}...")
        print(f"{recipe.title} (serves {recipe.servings}, vegetarian: {recipe.vegetarian})")
        for ingredient in recipe.ingredients:
            print(f"  - {ingredient.grams} g {ingredient.name}")

        # Or fix the format when creating the chat and validate the JSON yourself.
        strict = client.chat.create(MODEL, response_format=Recipe, messages=[user("A recipe for toast.")])
        toast = Recipe.model_validate_json((await strict.sample()).content)
        print(f"second recipe: {toast.title} with {len(toast.ingredients)} ingredient(s)")


if __name__ == "__main__":
    asyncio.run(main())
