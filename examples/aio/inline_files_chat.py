"""Attach a file's bytes directly to a message, without uploading it first (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/inline_files_chat.py``.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.chat import file, user

MODEL = "grok-4.20"
SALES = b"region,quarter,revenue\nnorth,Q1,120\nnorth,Q2,135\nsouth,Q1,90\nsouth,Q2,70\n"


async def main() -> None:
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL)
        chat.append(
            user(
                "Which region grew between Q1 and Q2?",
                file(data=SALES, filename="sales.csv", mime_type="text/csv"),
            )
        )
        response = await chat.sample()
        print(f"sent {len(SALES)} bytes inline; Grok: {response.content}")

        # Two inline files in one question.
        notes = b"The south region lost its biggest client in April."
        chat.append(response)
        chat.append(
            user(
                "Does this explain it?", file(data=notes, filename="notes.txt"), file(data=SALES, filename="sales.csv")
            )
        )
        print(f"Grok: {(await chat.sample()).content}")


if __name__ == "__main__":
    asyncio.run(main())
