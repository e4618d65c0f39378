"""Ask for an answer with a deferred request and poll until it is ready (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/deferred_chat.py``.
"""

import asyncio
import datetime

from xai_sdk import AsyncClient
from xai_sdk.chat import user

MODEL = "grok-4.20-non-reasoning"


async def main() -> None:
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL, messages=[user("List three uses for a paperclip.")])
        try:
            response = await chat.defer(
                timeout=datetime.timedelta(minutes=2),  # give up after this long
                interval=datetime.timedelta(milliseconds=50),  # time between polls
            )
        except (RuntimeError, TimeoutError) as error:  # the request expired or took too long
            print(f"no answer: {error}")
            return
        print(f"answer ({response.id}): {response.content}")
        print(f"finish reason: {response.finish_reason}, {response.usage.total_tokens} tokens")


if __name__ == "__main__":
    asyncio.run(main())
