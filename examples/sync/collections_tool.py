"""Give the model a document collection to search while it answers (the collections_search tool).

Collections need a management key (XAI_MANAGEMENT_KEY); chatting needs only the API key.
Run against the fake with ``xai-fake exec -- python examples/sync/collections_tool.py``.
"""

import datetime

from xai_sdk import Client
from xai_sdk.chat import user
from xai_sdk.tools import collections_search

MODEL = "grok-4.20"
HANDBOOK = {
    "leave.txt": b"Employees get 26 days of paid leave per year. Unused days expire on 1 April.",
    "travel.txt": b"Book trains for trips under 600 km. Hotels up to 150 euros a night are approved.",
}


def main() -> None:
    with Client() as client:
        collection = client.collections.create("handbook")
        cid = collection.collection_id
        print(f"created collection {cid}")
        try:
            for name, data in HANDBOOK.items():
                # Wait until the document is searchable, polling quickly.
                document = client.collections.upload_document(
                    cid, name, data, wait_for_indexing=True, poll_interval=datetime.timedelta(milliseconds=50)
                )
                print(f"  indexed {document.file_metadata.name}")

            chat = client.chat.create(MODEL, tools=[collections_search([cid], limit=3)])
            chat.append(user("How many leave days do I get, and can I fly to a city 400 km away?"))
            for so_far, chunk in chat.stream():
                response = so_far
                for call in chunk.tool_calls:
                    print(f"[tool] {call.function.name}({call.function.arguments})")
                print(chunk.content, end="", flush=True)
            print()
            print("citations:", *response.citations or ["(none)"], sep="\n  ")
            print(f"tool usage: {response.server_side_tool_usage}")
        finally:
            client.collections.delete(cid)


if __name__ == "__main__":
    main()
