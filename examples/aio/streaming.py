"""Print an answer as it is generated, then look at the assembled response (async client).

Run against the fake with ``xai-fake exec -- python examples/aio/streaming.py``.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.chat import user

MODEL = "grok-4.20-non-reasoning"


async def main() -> None:
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL, messages=[user("Describe a thunderstorm in three sentences.")])
        print("Grok: ", end="", flush=True)
        pieces = 0
        async for so_far, chunk in chat.stream():
            # `chunk` holds only the new text; `so_far` is everything received until now.
            print(chunk.content, end="", flush=True)
            pieces += 1
            response = so_far
        print(f"\n\n{pieces} chunks, finish reason {response.finish_reason}")
        print(f"tokens: {response.usage.prompt_tokens} in, {response.usage.completion_tokens} out")

        # Several answers to one prompt, streamed side by side.
        chat.append(response)
        chat.append(user("Give it a title."))
        async for so_far_batch, _ in chat.stream_batch(2):
            responses = so_far_batch
        for index, candidate in enumerate(responses):
            print(f"title {index + 1}: {candidate.content}")


if __name__ == "__main__":
    asyncio.run(main())
