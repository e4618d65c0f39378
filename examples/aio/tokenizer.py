"""Compare token counts of several texts at once with the asyncio client.

Run against the fake with ``xai-fake exec -- python examples/aio/tokenizer.py``.
"""

import asyncio

from xai_sdk import AsyncClient

MODEL = "grok-4"
TEXTS = [
    "Short.",
    "A somewhat longer sentence, with punctuation and numbers: 2024-06-01.",
    "Ünïcödé and emoji 🚀 take more bytes per character.",
]


async def main() -> None:
    async with AsyncClient() as client:
        results = await asyncio.gather(*(client.tokenize.tokenize_text(text, MODEL) for text in TEXTS))
    for text, tokens in zip(TEXTS, results, strict=True):
        print(f"{len(tokens):3} tokens  {text}")


if __name__ == "__main__":
    asyncio.run(main())
