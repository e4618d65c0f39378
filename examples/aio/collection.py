"""Add an existing file to a collection, wait for it to be indexed, and search, with the async client.

Collections need a management key (XAI_MANAGEMENT_KEY); search needs only the API key.
Run against the fake with ``xai-fake exec -- python examples/aio/collection.py``.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.proto import collections_pb2


async def main() -> None:
    async with AsyncClient() as client:
        collection = await client.collections.create("faq", metric_space="cosine", description="Common questions")
        cid = collection.collection_id
        file = await client.files.upload(b"Our office is open from 9 to 5 on weekdays.", filename="hours.txt")
        await client.collections.add_existing_document(cid, file.id)
        while (document := await client.collections.get_document(file.id, cid)).status != (
            collections_pb2.DOCUMENT_STATUS_PROCESSED
        ):
            print("  status:", collections_pb2.DocumentStatus.Name(document.status))
            await asyncio.sleep(0.2)
        print("  status:", collections_pb2.DocumentStatus.Name(document.status))

        found = await client.collections.search("opening hours weekdays", [cid], retrieval_mode="keyword")
        best = found.matches[0]
        print(f"Best match ({best.score:.2f}): {best.chunk_content}")
        listed = await client.collections.list_documents(cid)
        print(f"{len(listed.documents)} document(s) in {collection.collection_name}")
        await client.collections.delete(cid)


if __name__ == "__main__":
    asyncio.run(main())
