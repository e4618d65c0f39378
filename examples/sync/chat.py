"""A scripted multi-turn conversation: each answer is appended before the next question.

Run against the fake with ``xai-fake exec -- python examples/sync/chat.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import system, user

MODEL = "grok-4.20-non-reasoning"
QUESTIONS = [
    "Suggest a name for a bakery run by two cats.",
    "Now write a one-line slogan for it.",
    "Translate the slogan into French.",
]


def main() -> None:
    with Client() as client:
        chat = client.chat.create(MODEL, messages=[system("You are a cheerful branding assistant.")])
        spent = 0.0
        for question in QUESTIONS:
            chat.append(user(question))
            answer = chat.sample()
            chat.append(answer)  # the assistant's turn becomes part of the history
            print(f"You:  {question}\nGrok: {answer.content}\n")
            spent += answer.cost_usd or 0.0  # cost is per request and may be missing
        print(f"{len(chat.messages)} messages in the conversation, ${spent:.5f} spent")


if __name__ == "__main__":
    main()
