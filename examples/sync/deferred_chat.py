"""Ask for an answer with a deferred request and poll until it is ready.

Run against the fake with ``xai-fake exec -- python examples/sync/deferred_chat.py``.
"""

import datetime

from xai_sdk import Client
from xai_sdk.chat import user

MODEL = "grok-4.20-non-reasoning"


def main() -> None:
    with Client() as client:
        chat = client.chat.create(MODEL, messages=[user("List three uses for a paperclip.")])
        try:
            response = chat.defer(
                timeout=datetime.timedelta(minutes=2),  # give up after this long
                interval=datetime.timedelta(milliseconds=50),  # time between polls
            )
        except (RuntimeError, TimeoutError) as error:  # the request expired or took too long
            print(f"no answer: {error}")
            return
        print(f"answer ({response.id}): {response.content}")
        print(f"finish reason: {response.finish_reason}, {response.usage.total_tokens} tokens")


if __name__ == "__main__":
    main()
