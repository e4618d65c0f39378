"""Shrink a long conversation with compaction, then keep chatting on top of it.

Run against the fake with ``xai-fake exec -- python examples/sync/compaction.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import assistant, system, user
from xai_sdk.proto import chat_pb2

MODEL = "grok-4.3"
TOPICS = ["volcanoes", "tides", "rainbows", "auroras", "earthquakes", "monsoons"]


def history() -> list[chat_pb2.Message]:
    """A made-up earlier conversation: one question and a long answer per topic."""
    messages = [system("You are a patient geography teacher.")]
    for topic in TOPICS:
        messages.append(user(f"Explain {topic}."))
        messages.append(assistant(f"Here is a long explanation of {topic}. " * 40))
    return messages


def main() -> None:
    with Client() as client:
        # Compact a list of messages on its own.
        summary = client.chat.compact_context(MODEL, history())
        print(f"standalone: dropped {summary.dropped_message_count} messages, {summary.usage.total_tokens} tokens")

        # Or compact a chat in place: what came before is replaced by one encrypted summary.
        chat = client.chat.create(MODEL, use_encrypted_content=True, messages=history())
        before = len(chat.messages)
        compacted = chat.compact()
        print(f"in place: {before} messages -> {len(chat.messages)}, compaction {compacted.id}")

        chat.append(user("Which of the topics we covered involve the Moon?"))
        answer = chat.sample()
        chat.append(answer)
        print(f"Grok: {answer.content}")
        print(f"prompt tokens after compaction: {answer.usage.prompt_tokens}")


if __name__ == "__main__":
    main()
