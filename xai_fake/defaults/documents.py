"""Defaults for ``xai_api.Documents``: keyword search over the chunks of collections' documents."""

from __future__ import annotations

import re
from typing import ClassVar

from xai_fake.defaults.collections import StoredCollection, chunk_text, find_collection
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument
from xai_sdk.proto import documents_pb2

DEFAULT_LIMIT = 10
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    """The lower-cased words of ``text``."""
    return set(_WORD.findall(text.lower()))


class DocumentsDefaults:
    """Ranks chunks by the share of query words they contain (then by density); deterministic, best first."""

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Documents"

    def __init__(self, state: State) -> None:
        self.state = state

    def Search(self, request: documents_pb2.SearchRequest, context: object) -> documents_pb2.SearchResponse:
        query = words(request.query)
        if not query:
            raise invalid_argument("query must contain at least one word, e.g. query='refund policy'")
        if not request.source.collection_ids:
            raise invalid_argument("source.collection_ids must name at least one collection to search")
        check_enum("ranking_metric", request.ranking_metric, documents_pb2.RankingMetric)
        limit = request.limit if request.HasField("limit") else DEFAULT_LIMIT
        if limit <= 0:
            raise invalid_argument(f"limit must be positive, got {limit}; leave it unset for {DEFAULT_LIMIT}")
        collections = [find_collection(self.state, cid) for cid in dict.fromkeys(request.source.collection_ids)]
        merged: dict[tuple[str, str, str], documents_pb2.SearchMatch] = {}
        for stored in collections:
            for match in self._matches(stored, query):
                seen = merged.setdefault((match.file_id, match.chunk_id, match.chunk_content), match)
                if seen is not match:
                    seen.collection_ids.extend(match.collection_ids)
        matches = list(merged.values())
        matches.sort(key=lambda m: (-m.score, m.file_id, m.chunk_id))
        return documents_pb2.SearchResponse(matches=matches[:limit])

    @staticmethod
    def _matches(stored: StoredCollection, query: set[str]) -> list[documents_pb2.SearchMatch]:
        found = []
        for file_id, document in stored.documents.items():
            chunks = chunk_text(document.text, stored.meta.chunk_configuration, document.meta.file_metadata.name)
            for index, chunk in enumerate(chunks):
                chunk_words = words(chunk)
                overlap = len(query & chunk_words)
                if overlap:
                    found.append(
                        documents_pb2.SearchMatch(
                            file_id=file_id,
                            chunk_id=f"{file_id}-chunk-{index:04d}",
                            chunk_content=chunk,
                            score=overlap / len(query) * (0.9 + 0.1 * overlap / len(chunk_words)),
                            collection_ids=[stored.meta.collection_id],
                        )
                    )
        return found
