"""Trace chat calls with OpenTelemetry and print the spans to the console.

Needs the telemetry extra: pip install 'xai-devkit[telemetry-http]'
Run against the fake server: xai-fake exec -- python examples/sync/telemetry.py
Set XAI_SDK_DISABLE_SENSITIVE_TELEMETRY_ATTRIBUTES=1 to keep prompts and answers out of the spans.
"""

from xai_sdk import Client
from xai_sdk.chat import system, user
from xai_sdk.telemetry import Telemetry


def main() -> None:
    # One global tracer provider for the process; every chat call now ends with a printed span.
    Telemetry().setup_console_exporter()

    with Client() as client:
        chat = client.chat.create(
            model="grok-4",
            messages=[system("Answer in one sentence."), user("What is OpenTelemetry?")],
            conversation_id="telemetry-demo",  # recorded as gen_ai.conversation.id on every span
        )
        answer = chat.sample()  # span "chat.sample grok-4"
        print("Answer:", answer.content)

        chat.append(answer)
        chat.append(user("And what is a span?"))
        for _response, chunk in chat.stream():  # one span "chat.stream grok-4" for the whole stream
            print(chunk.content, end="", flush=True)
        print()


if __name__ == "__main__":
    main()
