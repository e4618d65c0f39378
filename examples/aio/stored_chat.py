"""Keep conversations on the server: continue from a stored response, fetch it, delete it (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/stored_chat.py``.
"""

import asyncio

import grpc

from xai_sdk import AsyncClient
from xai_sdk.chat import system, user

MODEL = "grok-4.20-non-reasoning"


async def main() -> None:
    async with AsyncClient() as client:
        first = client.chat.create(MODEL, store_messages=True)
        first.append(system("Answer in one sentence."))
        first.append(user("What is a lighthouse for?"))
        opening = await first.sample()
        print(f"stored {opening.id}: {opening.content}")

        # Branch twice from the same stored answer without resending the history.
        for question in ("Who keeps it running?", "How far can its light be seen?"):
            branch = client.chat.create(MODEL, previous_response_id=opening.id, store_messages=True)
            branch.append(user(question))
            print(f"{question} -> {(await branch.sample()).content}")

        fetched = await client.chat.get_stored_completion(opening.id)
        print(f"fetched {len(fetched)} output(s); same text: {fetched[0].content == opening.content}")

        deleted = await client.chat.delete_stored_completion(opening.id)
        print(f"deleted {deleted}")
        try:
            await client.chat.get_stored_completion(deleted)
        except grpc.RpcError as error:
            print(f"fetching it again fails: {error.code().name}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    asyncio.run(main())
