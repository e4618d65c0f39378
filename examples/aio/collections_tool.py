"""Give the model a document collection to search while it answers, with the async client.

Collections need a management key (XAI_MANAGEMENT_KEY); chatting needs only the API key.
Run against the fake with ``xai-fake exec -- python examples/aio/collections_tool.py``.
"""

import asyncio
import datetime

from xai_sdk import AsyncClient
from xai_sdk.chat import user
from xai_sdk.tools import collections_search

MODEL = "grok-4.20"
HANDBOOK = {
    "leave.txt": b"Employees get 26 days of paid leave per year. Unused days expire on 1 April.",
    "travel.txt": b"Book trains for trips under 600 km. Hotels up to 150 euros a night are approved.",
}


async def main() -> None:
    async with AsyncClient() as client:
        collection = await client.collections.create("handbook")
        cid = collection.collection_id
        print(f"created collection {cid}")
        try:
            # Upload both documents at once; each call returns when its document is searchable.
            uploads = [
                client.collections.upload_document(
                    cid, name, data, wait_for_indexing=True, poll_interval=datetime.timedelta(milliseconds=50)
                )
                for name, data in HANDBOOK.items()
            ]
            for document in await asyncio.gather(*uploads):
                print(f"  indexed {document.file_metadata.name}")

            chat = client.chat.create(MODEL, tools=[collections_search([cid], limit=3)])
            chat.append(user("How many leave days do I get, and can I fly to a city 400 km away?"))
            async for so_far, chunk in chat.stream():
                response = so_far
                for call in chunk.tool_calls:
                    print(f"[tool] {call.function.name}({call.function.arguments})")
                print(chunk.content, end="", flush=True)
            print()
            print("citations:", *response.citations or ["(none)"], sep="\n  ")
            print(f"tool usage: {response.server_side_tool_usage}")
        finally:
            await client.collections.delete(cid)


if __name__ == "__main__":
    asyncio.run(main())
