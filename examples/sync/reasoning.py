"""Read a reasoning model's thinking, its token usage, and change how hard it thinks.

Run against the fake with ``xai-fake exec -- python examples/sync/reasoning.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import user

QUESTION = "A train leaves at 14:10 and arrives at 17:55. How long is the trip?"


def main() -> None:
    with Client() as client:
        # grok-3-mini accepts reasoning_effort ("low" or "high").
        for effort in ("low", "high"):
            chat = client.chat.create("grok-3-mini", reasoning_effort=effort, messages=[user(QUESTION)])
            response = chat.sample()
            print(f"--- effort {effort} ---")
            print(f"thinking: {response.reasoning_content[:120]}")
            print(f"answer:   {response.content}")
            usage = response.usage
            print(f"tokens:   {usage.reasoning_tokens} reasoning, {usage.completion_tokens} completion")
            print(f"          {usage.total_tokens} in total")

        # While streaming, reasoning arrives before the answer.
        chat = client.chat.create("grok-4.20", messages=[user(QUESTION)])
        thoughts, answer = [], []
        for _, chunk in chat.stream():
            thoughts.append(chunk.reasoning_content)
            answer.append(chunk.content)
        print(f"--- streamed ---\nthought {len(''.join(thoughts))} characters, then said: {''.join(answer)}")


if __name__ == "__main__":
    main()
