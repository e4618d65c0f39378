"""Trace async chat calls with OpenTelemetry and print the spans to the console.

Needs the telemetry extra: pip install 'xai-devkit[telemetry-http]'
Run against the fake server: xai-fake exec -- python examples/aio/telemetry.py
Set XAI_SDK_DISABLE_TRACING=1 to switch the SDK's spans off without touching the code.
"""

import asyncio

from xai_sdk import AsyncClient
from xai_sdk.chat import system, user
from xai_sdk.telemetry import Telemetry


async def main() -> None:
    # One global tracer provider for the process; every chat call now ends with a printed span.
    Telemetry().setup_console_exporter()

    async with AsyncClient() as client:
        chat = client.chat.create(
            model="grok-4",
            messages=[system("Answer in one sentence."), user("What is OpenTelemetry?")],
            conversation_id="telemetry-demo",  # recorded as gen_ai.conversation.id on every span
        )
        # Concurrent calls each get their own span.
        questions = ["What is a trace?", "What is a span?"]
        chats = [client.chat.create(model="grok-4", messages=[user(q)]) for q in questions]
        answers = await asyncio.gather(chat.sample(), *(c.sample() for c in chats))
        for answer in answers:
            print("Answer:", answer.content)

        async for _response, chunk in chat.stream():  # one span "chat.stream grok-4" for the whole stream
            print(chunk.content, end="", flush=True)
        print()


if __name__ == "__main__":
    asyncio.run(main())
