"""Submit a batch with the asyncio client, cancel it halfway, and see what finished.

Run against the fake with ``xai-fake exec -- python examples/aio/batch.py``.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.chat import user


async def main() -> None:
    async with AsyncClient() as client:
        batch = await client.batch.create("translations")
        chats = [
            client.chat.create("grok-4", messages=[user(f"Translate 'good morning' into {language}")],
                               batch_request_id=language.lower())
            for language in ["French", "German", "Japanese", "Swahili", "Finnish", "Hindi"]
        ]  # fmt: skip
        await client.batch.add(batch.batch_id, chats)

        batch = await client.batch.get(batch.batch_id)
        print(f"after one poll: {batch.state.num_success} of {batch.state.num_requests} done")
        batch = await client.batch.cancel(batch.batch_id)
        print(f"cancelled: {batch.state.num_cancelled} requests will not run")

        requests = await client.batch.list_batch_requests(batch.batch_id)
        for metadata in requests.batch_request_metadata:
            print(f"  {metadata.batch_request_id:10} {metadata.State.Name(metadata.state)}")
        results = await client.batch.list_batch_results(batch.batch_id)
        for result in results.succeeded:
            print(f"  {result.batch_request_id}: {result.response.content[:60]}")


if __name__ == "__main__":
    asyncio.run(main())
