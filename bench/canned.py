"""The fixed messages every benchmark server answers with."""

from __future__ import annotations

from functools import lru_cache

from xai_sdk.proto import chat_pb2, sample_pb2, usage_pb2

MODEL = "grok-4"  # a model the fake knows, so its default answers work too
TEXT = "The canned answer of the benchmark server."
#: Chunks of a stream when the request does not say (``max_tokens`` picks the count).
DEFAULT_CHUNKS = 100
#: The content of the answer to a JSON-schema ``response_format`` request, whatever the schema
#: (a valid ``Order`` of ``bench/schema_bench.py``, which checks that it is).
JSON_TEXT = (
    '{"order_id": "ORD-004217", "customer": "Ada Lovelace", "status": "shipped", "quantity": 3,'
    ' "total": 59.9, "shipping": {"street": "12 Analytical Row", "city": "London", "postcode": "10115"},'
    ' "tags": ["gift", "express"]}'
)


def response() -> chat_pb2.GetChatCompletionResponse:
    """The unary answer: one output, finished, with usage."""
    return chat_pb2.GetChatCompletionResponse(
        id="bench-0",
        model=MODEL,
        system_fingerprint="fp-bench",
        outputs=[
            chat_pb2.CompletionOutput(
                index=0,
                finish_reason=sample_pb2.REASON_STOP,
                message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content=TEXT),
            )
        ],
        usage=usage_pb2.SamplingUsage(prompt_tokens=5, completion_tokens=8, total_tokens=13),
    )


def json_response() -> chat_pb2.GetChatCompletionResponse:
    """The unary answer to a structured-output request: :func:`response` with ``JSON_TEXT`` as content."""
    made = response()
    made.outputs[0].message.content = JSON_TEXT
    made.usage.completion_tokens = 40
    made.usage.total_tokens = 45
    return made


@lru_cache(maxsize=8)
def chunks(count: int) -> tuple[chat_pb2.GetChatCompletionChunk, ...]:
    """``count`` stream chunks of one word each; the last one finishes and carries usage."""
    made = []
    for index in range(count):
        last = index == count - 1
        made.append(
            chat_pb2.GetChatCompletionChunk(
                id="bench-0",
                model=MODEL,
                outputs=[
                    chat_pb2.CompletionOutputChunk(
                        index=0,
                        delta=chat_pb2.Delta(role=chat_pb2.ROLE_ASSISTANT, content="word "),
                        finish_reason=sample_pb2.REASON_STOP if last else sample_pb2.REASON_INVALID,
                    )
                ],
                usage=usage_pb2.SamplingUsage(prompt_tokens=5, completion_tokens=count, total_tokens=count + 5)
                if last
                else None,
            )
        )
    return tuple(made)


def chunk_count(request: chat_pb2.GetCompletionsRequest) -> int:
    """The number of chunks a stream request asks for: its ``max_tokens``, if set."""
    return request.max_tokens if request.HasField("max_tokens") else DEFAULT_CHUNKS
