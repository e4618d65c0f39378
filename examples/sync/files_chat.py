"""Upload a document once, then ask questions about it by its file id.

Run against the fake with ``xai-fake exec -- python examples/sync/files_chat.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import file, user

MODEL = "grok-4.20"
MINUTES = b"""Team meeting, 3 March
- Mila will ship the new onboarding flow on Friday.
- The budget for the offsite is 4,000 euros.
- Next meeting: 10 March, 14:00.
"""


def main() -> None:
    with Client() as client:
        uploaded = client.files.upload(MINUTES, filename="minutes.txt")
        print(f"uploaded {uploaded.filename} ({uploaded.size} bytes) as {uploaded.id}")
        try:
            chat = client.chat.create(MODEL)
            chat.append(user("Who ships what, and when?", file(uploaded.id)))
            first = chat.sample()
            print(f"Grok: {first.content}")

            chat.append(first)
            chat.append(user("And what is the offsite budget?"))  # the file stays in the history
            print(f"Grok: {chat.sample().content}")
        finally:
            client.files.delete(uploaded.id)
            print(f"deleted {uploaded.id}")


if __name__ == "__main__":
    main()
