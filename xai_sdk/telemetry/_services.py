"""Spans of the files, collections, models, tokenizer and auth calls, and their attributes.

The names and attributes are the official SDK's:

* ``file.upload`` / ``file.delete`` with ``operation.name`` (``upload_file``, ``delete``),
  ``provider.name`` and, from the response, ``file.id`` (and ``file.name`` for an upload);
* ``collections.<operation>`` (``create_collection``, ``update_collection``, ``delete_collection``,
  ``upload_document``, ``add_existing_document``, ``update_document``, ``reindex_document``,
  ``remove_document``, ``generate_collection_description``) with ``operation.name``,
  ``provider.name`` and the ``collection.*``, ``file.*`` or ``document.*`` ids and names involved;
* ``list_language_models``, ``get_language_model <name>`` and the embedding and image generation
  model equivalents, ``tokenize_text <model>`` and ``get_api_key_info``, with
  ``gen_ai.request.model`` when a model is named.

Every span also reports ``server.address``/``server.port`` of the host the call goes to (the
management host for collection changes). With sensitive attributes off, file spans drop the
file's id and name as in the official SDK, and collection spans drop names (``collection.name``,
``document.name``, ``file.name``: text the user chose), keeping ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xai_sdk.proto import collections_pb2, files_pb2
from xai_sdk.telemetry._spans import NO_SPAN, AttributeValue, Span, _RecordedSpan, server_attributes, tracer_for
from xai_sdk.telemetry.config import should_disable_sensitive_attributes

__all__ = ["call_span", "collection_span", "file_span"]

Attributes = dict[str, AttributeValue]


def _operation(operation: str, target: str | None) -> Attributes:
    return {"operation.name": operation, "provider.name": "xai", **server_attributes(target)}


# -- files ---------------------------------------------------------------------------------------


def _uploaded_file(file: files_pb2.File) -> Attributes:
    if should_disable_sensitive_attributes():
        return {}
    return {"file.id": file.id, "file.name": file.filename}


def _deleted_file(response: files_pb2.DeleteFileResponse) -> Attributes:
    return {} if should_disable_sensitive_attributes() else {"file.id": response.id}


_FILE_OPERATIONS: dict[str, tuple[str, Callable[[Any], Attributes]]] = {
    "upload": ("upload_file", _uploaded_file),
    "delete": ("delete", _deleted_file),
}


def file_span(scope: str, operation: str, target: str | None) -> Span:
    """The span of ``client.files.<operation>`` (``upload`` or ``delete``); ``done()`` takes the response."""
    tracer = tracer_for(scope)  # first, so that an unrecorded call builds nothing
    if tracer is None:
        return NO_SPAN
    name, result = _FILE_OPERATIONS[operation]
    return _RecordedSpan(tracer, f"file.{operation}", lambda: _operation(name, target), result, True)


# -- collections ---------------------------------------------------------------------------------


def _named(key: str, identifier: str, name: str) -> Attributes:
    attributes: Attributes = {f"{key}.id": identifier}
    if not should_disable_sensitive_attributes():
        attributes[f"{key}.name"] = name
    return attributes


def _collection(collection: collections_pb2.CollectionMetadata) -> Attributes:
    return _named("collection", collection.collection_id, collection.collection_name)


def _uploaded_document(document: collections_pb2.DocumentMetadata) -> Attributes:
    return _named("file", document.file_metadata.file_id, document.file_metadata.name)


def _document(document: collections_pb2.DocumentMetadata) -> Attributes:
    return _named("document", document.file_metadata.file_id, document.file_metadata.name)


_COLLECTION_RESULTS: dict[str, Callable[[Any], Attributes]] = {
    "create_collection": _collection,
    "update_collection": _collection,
    "upload_document": _uploaded_document,
    "update_document": _document,
}


def _collection_attributes(
    operation: str, target: str | None, collection_id: str | None, file_id: str | None
) -> Attributes:
    attributes = _operation(operation, target)
    if collection_id is not None:
        attributes["collection.id"] = collection_id
    if file_id is not None:
        attributes["file.id"] = file_id
    return attributes


def collection_span(
    scope: str, operation: str, target: str | None, *, collection_id: str | None = None, file_id: str | None = None
) -> Span:
    """The span ``collections.<operation>``; ``done()`` takes the collection or document metadata returned.

    ``collection_id``/``file_id`` are reported from the start, for the operations whose response
    does not name what they acted on.
    """
    tracer = tracer_for(scope)
    if tracer is None:
        return NO_SPAN
    return _RecordedSpan(
        tracer,
        f"collections.{operation}",
        lambda: _collection_attributes(operation, target, collection_id, file_id),
        _COLLECTION_RESULTS.get(operation),
        True,
    )


# -- models, tokenizer, auth ---------------------------------------------------------------------


def _call_attributes(model: str | None, target: str | None) -> Attributes:
    attributes: Attributes = {} if model is None else {"gen_ai.request.model": model}
    attributes.update(server_attributes(target))
    return attributes


def call_span(scope: str, operation: str, target: str | None, model: str | None = None) -> Span:
    """The span ``"<operation> <model>"`` (or ``"<operation>"``) of a models, tokenizer or auth call."""
    tracer = tracer_for(scope)
    if tracer is None:
        return NO_SPAN
    name = operation if model is None else f"{operation} {model}"
    return _RecordedSpan(tracer, name, lambda: _call_attributes(model, target), None, True)
