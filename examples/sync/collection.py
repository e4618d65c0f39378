"""Build a small knowledge base: a collection, two documents, a search, then clean up.

Collections need a management key (XAI_MANAGEMENT_KEY); search needs only the API key.
Run against the fake with ``xai-fake exec -- python examples/sync/collection.py``.
"""

import datetime

from xai_sdk import Client

HANDBOOK = {
    "refunds.md": b"Refunds are paid to the original card within 14 days of the return arriving.",
    "shipping.md": b"Orders ship within two working days; express shipping arrives the next day.",
}


def main() -> None:
    with Client() as client:
        collection = client.collections.create(
            "handbook",
            chunk_configuration={"chars_configuration": {"max_chunk_size_chars": 400, "chunk_overlap_chars": 40}},
            field_definitions=[{"key": "team", "required": False, "inject_into_chunk": True, "unique": False}],
        )
        print(f"Created collection {collection.collection_name} ({collection.collection_id})")
        for name, text in HANDBOOK.items():
            document = client.collections.upload_document(
                collection.collection_id,
                name,
                text,
                {"team": "support"},
                wait_for_indexing=True,
                poll_interval=datetime.timedelta(milliseconds=200),
            )
            print(f"  indexed {name}: {document.chunk_count} chunk(s)")

        results = client.collections.search("when do refunds arrive", [collection.collection_id], limit=3)
        for match in results.matches:
            print(f"  {match.score:.2f}  {match.chunk_content}")
        print("About:", client.collections.generate_description(collection.collection_id))
        client.collections.delete(collection.collection_id)
        print("Deleted the collection")


if __name__ == "__main__":
    main()
