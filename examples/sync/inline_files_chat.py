"""Attach a file's bytes directly to a message, without uploading it first.

Run against the fake with ``xai-fake exec -- python examples/sync/inline_files_chat.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import file, user

MODEL = "grok-4.20"
SALES = b"region,quarter,revenue\nnorth,Q1,120\nnorth,Q2,135\nsouth,Q1,90\nsouth,Q2,70\n"


def main() -> None:
    with Client() as client:
        chat = client.chat.create(MODEL)
        chat.append(
            user(
                "Which region grew between Q1 and Q2?",
                file(data=SALES, filename="sales.csv", mime_type="text/csv"),
            )
        )
        response = chat.sample()
        print(f"sent {len(SALES)} bytes inline; Grok: {response.content}")

        # Two inline files in one question.
        notes = b"The south region lost its biggest client in April."
        chat.append(response)
        chat.append(
            user(
                "Does this explain it?", file(data=notes, filename="notes.txt"), file(data=SALES, filename="sales.csv")
            )
        )
        print(f"Grok: {chat.sample().content}")


if __name__ == "__main__":
    main()
