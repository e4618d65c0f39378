"""Real objects on the fake (a file, a collection, a batch, stored and deferred completions, a video
job) whose ids random requests can name, so that they reach past the server's first lookup."""

from __future__ import annotations

import xai_sdk
from tests.reliability.proto_strategies import Hints
from xai_fake.defaults.models import EMBEDDING_MODELS, IMAGE_MODELS, LANGUAGE_MODELS, VIDEO_MODELS
from xai_sdk.chat import user

MODEL_NAMES: tuple[str, ...] = (
    *(model.name for model in [*LANGUAGE_MODELS, *EMBEDDING_MODELS, *IMAGE_MODELS]),
    *VIDEO_MODELS,
)


def seed_objects(client: xai_sdk.Client) -> Hints:
    """Create one object of each kind; returns hints mapping id field names to their ids."""
    file = client.files.upload(b'{"hello": "world"}\n', filename="seed.jsonl")
    collection = client.collections.create("seed")
    document = client.collections.upload_document(collection.collection_id, "doc.txt", b"some searchable text")
    batch = client.batch.create("seed")
    stored = client.chat.create("grok-4", messages=[user("Hi")], store_messages=True).sample()
    deferred = client.stubs.chat.StartDeferredCompletion(
        client.chat.create("grok-4", messages=[user("Hi")]).proto, **client.stubs.kwargs()
    )
    video = client.video.start("a cat", "grok-imagine-video")
    schemas = (
        '{"type": "object"}',
        "5",
        "[]",
        '{"$ref": "#/nowhere"}',
        '{"type": "array", "items": 3}',
        '{"properties": {"a": 1}}',
        '{"type": "array", "minItems": "x"}',
        '{"anyOf": [1]}',
        "not json",
    )
    file_ids = (file.id, document.file_metadata.file_id)
    return (
        ("model", MODEL_NAMES),
        ("model_name", MODEL_NAMES),
        ("name", MODEL_NAMES),
        ("file_id", file_ids),
        ("file_ids", file_ids),
        ("input_file_id", file_ids),
        ("collection_id", (collection.collection_id,)),
        ("collection_ids", (collection.collection_id,)),
        ("batch_id", (batch.batch_id,)),
        ("response_id", (stored.id,)),
        ("previous_response_id", (stored.id,)),
        ("schema", schemas),
        ("parameters", schemas),
        ("request_id", (deferred.request_id, video.request_id)),
    )
