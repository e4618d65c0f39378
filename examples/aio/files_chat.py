"""Upload a document once, then ask questions about it by its file id (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/files_chat.py``.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.chat import file, user

MODEL = "grok-4.20"
MINUTES = b"""Team meeting, 3 March
- Mila will ship the new onboarding flow on Friday.
- The budget for the offsite is 4,000 euros.
- Next meeting: 10 March, 14:00.
"""


async def main() -> None:
    async with AsyncClient() as client:
        uploaded = await client.files.upload(MINUTES, filename="minutes.txt")
        print(f"uploaded {uploaded.filename} ({uploaded.size} bytes) as {uploaded.id}")
        try:
            chat = client.chat.create(MODEL)
            chat.append(user("Who ships what, and when?", file(uploaded.id)))
            first = await chat.sample()
            print(f"Grok: {first.content}")

            chat.append(first)
            chat.append(user("And what is the offsite budget?"))  # the file stays in the history
            print(f"Grok: {(await chat.sample()).content}")
        finally:
            await client.files.delete(uploaded.id)
            print(f"deleted {uploaded.id}")


if __name__ == "__main__":
    asyncio.run(main())
