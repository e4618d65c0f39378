"""Redaction: credentials never reach a file; user metadata keys, body field paths and the before-record hook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cassette.format_samples import SECRET, client_metadata, record_sample, sample_server
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import (
    DEFAULT_REDACTOR,
    REDACTED,
    Redactor,
    is_credential_key,
    load,
    new_cassette,
    pack,
    save,
    unpack,
)
from xai_sdk.proto import chat_pb2, files_pb2


@pytest.fixture(scope="module")
def sample() -> Iterator[cassette_pb2.Cassette]:
    with sample_server() as fake:
        yield record_sample(fake, client_metadata())


def metadata(interaction: cassette_pb2.Interaction, which: str = "request_metadata") -> dict[str, str | bytes]:
    return {m.key: (m.binary if m.WhichOneof("value") == "binary" else m.text) for m in getattr(interaction, which)}


def chat_interaction() -> cassette_pb2.Interaction:
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion")
    request = chat_pb2.GetCompletionsRequest(
        model="grok-4", user="alice@example.com", stop=["END", "STOP"],
        messages=[chat_pb2.Message(content=[chat_pb2.Content(text="my address is 1 Main St")], encrypted_content="e")],
    )  # fmt: skip
    response = chat_pb2.GetChatCompletionResponse(id="r1", system_fingerprint="fp-1", citations=["https://a"])
    response.outputs.add().message.content = "hello alice"
    interaction.requests.append(pack(request, 0.0))
    interaction.responses.append(pack(response, 0.1))
    return interaction


# --- defaults ---------------------------------------------------------------------------------------------

CREDENTIALS = [
    "authorization", "Authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization",
    "x-session-token", "x-goog-api-key", "client-secret", "db-password", "x-auth-user", "x-token-bin",
]  # fmt: skip


@pytest.mark.parametrize("key", CREDENTIALS)
def test_credential_like_keys_are_always_redacted(key: str) -> None:
    assert is_credential_key(key)
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion")
    for container in (interaction.request_metadata, interaction.initial_metadata, interaction.trailing_metadata):
        if key.endswith("-bin"):
            container.add(key=key, binary=SECRET.encode())
        else:
            container.add(key=key, text=f"Bearer {SECRET}")
        container.add(key="x-request-id", text="req-1")
    redacted = DEFAULT_REDACTOR.apply(interaction)
    assert redacted is not None
    for which in ("request_metadata", "initial_metadata", "trailing_metadata"):
        values = metadata(redacted, which)
        assert values[key] in (REDACTED, REDACTED.encode())
        assert values["x-request-id"] == "req-1"
    assert SECRET in str(interaction)  # the argument is not modified


@pytest.mark.parametrize("key", ["x-request-id", "content-type", "user-agent", "x-ratelimit-remaining"])
def test_ordinary_keys_are_kept(key: str) -> None:
    assert not is_credential_key(key)


@pytest.mark.parametrize("name", ["calls.pb", "calls.txtpb"])
def test_the_api_key_appears_nowhere_in_the_file(tmp_path: Path, sample: cassette_pb2.Cassette, name: str) -> None:
    # The sample's metadata is what the client really sent through gRPC, key included.
    assert sum(m.text == f"Bearer {SECRET}" for i in sample.interactions for m in i.request_metadata) == 5
    for redactor in (DEFAULT_REDACTOR, None):  # through a redactor, and through save() alone
        cassette = cassette_pb2.Cassette()
        cassette.CopyFrom(sample)
        if redactor is not None:
            redacted = redactor.apply_all(cassette.interactions)
            del cassette.interactions[:]
            cassette.interactions.extend(redacted)
        data = save(cassette, tmp_path / name).read_bytes()
        assert SECRET.encode() not in data
        assert "Bearer" not in data.decode("utf-8", "replace")
        assert metadata(load(tmp_path / name).interactions[0])["authorization"] == REDACTED
        assert metadata(load(tmp_path / name).interactions[0], "initial_metadata")["set-cookie"] == REDACTED


# --- user metadata keys -----------------------------------------------------------------------------------


def test_user_metadata_keys_are_redacted_or_dropped(sample: cassette_pb2.Cassette) -> None:
    redactor = Redactor(redact_metadata=["X-Client"], drop_metadata=["trace-bin", "x-request-id"])
    redacted = redactor.apply(sample.interactions[0])
    assert redacted is not None
    assert metadata(redacted) == {"authorization": REDACTED, "x-client": REDACTED}
    assert "x-request-id" not in metadata(redacted, "initial_metadata")
    assert metadata(redacted, "trailing_metadata")["x-ratelimit-remaining"] == "99"
    assert "trace-bin" in metadata(sample.interactions[0])  # the input is untouched


# --- body field paths -------------------------------------------------------------------------------------


def test_redact_a_request_field_inside_the_any_body() -> None:
    redacted = Redactor(redact_fields=["xai_api.GetCompletionsRequest.user"]).apply(chat_interaction())
    assert redacted is not None
    request = unpack(redacted.requests[0])
    assert isinstance(request, chat_pb2.GetCompletionsRequest)
    assert request.user == REDACTED
    assert request.model == "grok-4"
    assert request.messages[0].content[0].text == "my address is 1 Main St"


def test_fields_at_any_depth_in_requests_and_responses() -> None:
    redactor = Redactor(
        redact_fields=[
            "xai_api.Content.text",
            "xai_api.CompletionMessage.content",
            "xai_api.GetCompletionsRequest.stop",
        ],
        drop_fields=["xai_api.Message.encrypted_content", "xai_api.GetChatCompletionResponse.system_fingerprint"],
    )
    redacted = redactor.apply(chat_interaction())
    assert redacted is not None
    request = unpack(redacted.requests[0])
    response = unpack(redacted.responses[0])
    assert isinstance(request, chat_pb2.GetCompletionsRequest)
    assert isinstance(response, chat_pb2.GetChatCompletionResponse)
    assert request.messages[0].content[0].text == REDACTED
    assert request.messages[0].encrypted_content == ""
    assert list(request.stop) == [REDACTED, REDACTED]
    assert response.outputs[0].message.content == REDACTED
    assert response.system_fingerprint == ""
    assert response.id == "r1"
    assert redacted.responses[0].offset.ToNanoseconds() == 100_000_000  # timing kept


def test_bytes_fields_of_client_streams(sample: cassette_pb2.Cassette) -> None:
    redactor = Redactor(redact_fields=["xai_api.UploadFileChunk.data"], drop_fields=["xai_api.UploadFileInit.name"])
    redacted = redactor.apply(sample.interactions[2])
    assert redacted is not None
    chunks = [unpack(r) for r in redacted.requests]
    assert all(isinstance(c, files_pb2.UploadFileChunk) for c in chunks)
    assert chunks[0] == files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit())
    assert [c.data for c in chunks[1:]] == [REDACTED.encode()] * 2  # type: ignore[attr-defined]


def test_redacted_fields_are_absent_from_the_file(tmp_path: Path) -> None:
    cassette = new_cassette([chat_interaction()])
    redacted = Redactor(redact_fields=["xai_api.GetCompletionsRequest.user"]).apply_all(cassette.interactions)
    for name in ("a.pb", "a.txtpb"):
        data = save(new_cassette(redacted), tmp_path / name).read_bytes()
        assert b"alice@example.com" not in data
        assert b"hello alice" in data


def test_unset_fields_stay_unset() -> None:
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion")
    interaction.requests.append(pack(chat_pb2.GetCompletionsRequest(model="grok-4")))
    redacted = Redactor(redact_fields=["xai_api.GetCompletionsRequest.user"]).apply(interaction)
    assert redacted is not None
    assert redacted.requests[0] == interaction.requests[0]


def test_redact_message_treats_a_live_request_like_the_recorded_one() -> None:
    redactor = Redactor(redact_fields=["xai_api.GetCompletionsRequest.user"])
    live = chat_pb2.GetCompletionsRequest(model="grok-4", user="bob")
    assert redactor.redact_message(live) is True
    assert live.user == REDACTED
    assert redactor.redact_message(chat_pb2.GetCompletionsRequest(model="grok-4")) is False


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"redact_fields": ["xai_api.NoSuchMessage.user"]}, "no message type 'xai_api.NoSuchMessage'"),
        ({"drop_fields": ["user"]}, "write <message full name>.<field>"),
        ({"redact_fields": ["xai_api.GetCompletionsRequest.usr"]}, "did you mean 'xai_api.GetCompletionsRequest.user'"),
        ({"redact_fields": ["xai_api.GetCompletionsRequest.n"]}, "only string and bytes fields can be redacted"),
    ],
)
def test_bad_field_paths_fail_early(options: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("<", ".").replace(">", ".")):
        Redactor(**options)  # type: ignore[arg-type]


# --- the before-record hook -------------------------------------------------------------------------------


def test_the_hook_can_modify_and_runs_after_the_rules() -> None:
    seen: list[str] = []

    def hook(interaction: cassette_pb2.Interaction) -> cassette_pb2.Interaction:
        seen.append(unpack(interaction.requests[0]).user)  # type: ignore[attr-defined]
        interaction.status_details = "edited by the hook"
        interaction.request_metadata.add(key="authorization", text=f"Bearer {SECRET}")  # a careless hook
        return interaction

    redactor = Redactor(redact_fields=["xai_api.GetCompletionsRequest.user"], before_record=hook)
    redacted = redactor.apply(chat_interaction())
    assert redacted is not None
    assert seen == [REDACTED]
    assert redacted.status_details == "edited by the hook"
    assert metadata(redacted)["authorization"] == REDACTED  # credentials still never get through


def test_the_hook_can_drop_interactions(sample: cassette_pb2.Cassette) -> None:
    def only_successes(interaction: cassette_pb2.Interaction) -> cassette_pb2.Interaction | None:
        return interaction if interaction.status_code == 0 else None

    redactor = Redactor(before_record=only_successes)
    assert redactor.apply(sample.interactions[4]) is None
    kept = redactor.apply_all(sample.interactions)
    assert [i.method for i in kept] == [i.method for i in sample.interactions[:3]]
    assert "before_record=" in repr(redactor)
