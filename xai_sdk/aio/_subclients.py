"""The sub-clients of the asyncio client, declared for type checkers.

``BaseClient.__getattr__`` creates each on first use from the rows of ``xai_sdk/_services.py``;
this class only names their types, one per row with a client attribute
(``tests/test_service_table.py`` checks). ``xai_sdk/sync/_subclients.py`` is generated from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xai_sdk import stubs as _stubs
    from xai_sdk.aio import auth as _auth
    from xai_sdk.aio import batch as _batch
    from xai_sdk.aio import chat as _chat
    from xai_sdk.aio import collections as _collections
    from xai_sdk.aio import documents as _documents
    from xai_sdk.aio import embeddings as _embeddings
    from xai_sdk.aio import files as _files
    from xai_sdk.aio import image as _image
    from xai_sdk.aio import models as _models
    from xai_sdk.aio import sampler as _sampler
    from xai_sdk.aio import tokenizer as _tokenizer
    from xai_sdk.aio import video as _video

__all__ = ["SubClients"]


class SubClients:
    """The typed sub-client attributes of a client (nothing at run time)."""

    if TYPE_CHECKING:
        auth: _auth.Client
        batch: _batch.Client
        chat: _chat.Client
        collections: _collections.Client
        documents: _documents.Client
        embeddings: _embeddings.Client
        files: _files.Client
        image: _image.Client
        models: _models.Client
        sampler: _sampler.Client
        stubs: _stubs.Stubs
        tokenize: _tokenizer.Client
        video: _video.Client
