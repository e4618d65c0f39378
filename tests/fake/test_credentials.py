"""The one secrets rule: the request log, cassettes, the HTTP cassette filter and `cassette check` agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import MODES, Api, Mode
from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import Redactor, load, new_cassette, to_text
from xai_fake.cli import main
from xai_fake.credentials import CREDENTIAL_KEY_PARTS, REDACTED, is_credential, redact_headers, redact_mapping
from xai_fake.plugin import _redacted_request, _redacted_response

#: Credential-like headers a client may send; each value is a distinct secret.
HEADERS = (
    "x-api-key", "api-key", "cookie", "proxy-authorization", "x-auth-token",
    "x-goog-api-key", "x-session-token", "x-credential", "x-secret",
)  # fmt: skip
SECRETS = {key: f"s3cret-{index}-{key[::-1]}-9f1c" for index, key in enumerate(HEADERS)}


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> Mode:
    """The sync and the async SDK client."""
    return request.param  # type: ignore[no-any-return]


def _sent() -> tuple[tuple[str, str], ...]:
    return tuple(SECRETS.items())


def _assert_hidden(text: str, where: str) -> None:
    for key, secret in SECRETS.items():
        assert secret not in text, f"the value of {key} shows in {where}"


async def test_no_credential_shows_in_the_request_log(mode: Mode) -> None:
    with FakeServer() as fake:
        async with Api(fake, mode, metadata=_sent()) as api:
            await api.sample()
            await api.stream()
        assert len(fake.requests) == 2
        for call in fake.requests:
            for key in HEADERS:
                assert call.metadata[key] == REDACTED
            assert call.metadata["authorization"] == REDACTED  # the client's own key too
        _assert_hidden(repr(fake.requests), "repr(fake.requests)")
        _assert_hidden(repr(fake.requests.calls), "the logged calls")
        _assert_hidden(str([call.metadata for call in fake.requests]), "the logged metadata")


@pytest.mark.parametrize("suffix", [".pb", ".txtpb"])
async def test_no_credential_lands_in_a_recorded_cassette(mode: Mode, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"secrets{suffix}"
    with FakeServer() as upstream:
        proxy = FakeServer(cassette=path, record_mode="all", upstream=upstream.address)
        with proxy:
            async with Api(proxy, mode, metadata=_sent()) as api:
                await api.sample()
                await api.stream()
        # The upstream (the real API) did get them: the proxy forwards what the client sent.
        assert upstream.requests.count() == 2
    data = path.read_bytes()
    for secret in SECRETS.values():
        assert secret.encode() not in data
    cassette = load(path)
    assert len(cassette.interactions) == 2
    _assert_hidden(to_text(cassette), "the cassette's text form")
    recorded = {entry.key: entry.text for entry in cassette.interactions[0].request_metadata}
    assert {key: recorded[key] for key in HEADERS} == dict.fromkeys(HEADERS, REDACTED)
    assert main(["cassette", "check", str(path)]) == 0


def test_cassette_check_names_every_leaked_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cassette = new_cassette()
    interaction = cassette.interactions.add(method="/xai_api.Models/ListLanguageModels")
    interaction.request_metadata.extend(cassette_pb2.Metadatum(key=k, text=v) for k, v in SECRETS.items())
    cassette.interaction_count = 1
    path = tmp_path / "leaky.pb"
    path.write_bytes(cassette.SerializeToString())  # written by hand, past save()'s redaction
    assert main(["cassette", "check", str(path)]) == 1
    error = capsys.readouterr().err
    for key in HEADERS:
        assert key in error
    _assert_hidden(error, "the check's message")


def test_the_http_cassette_filter_uses_the_same_rule() -> None:
    import vcr.request

    request = vcr.request.Request("GET", "https://files.x.ai/a.png", b"", dict(SECRETS) | {"accept": "image/png"})
    _redacted_request(request)
    assert {key: request.headers[key] for key in HEADERS} == dict.fromkeys(HEADERS, REDACTED)
    assert request.headers["accept"] == "image/png"
    response = {"headers": {"set-cookie": ["session=s3cret-cookie"], "content-type": ["image/png"]}, "body": {}}
    _redacted_response(response)
    assert response["headers"] == {"set-cookie": [REDACTED], "content-type": ["image/png"]}


_key_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=0, max_size=8)
_keys = st.one_of(
    st.builds(lambda a, part, b: f"{a}{part}{b}", _key_text, st.sampled_from(CREDENTIAL_KEY_PARTS), _key_text),
    _key_text.filter(bool),
)
_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=8))
def test_the_request_log_redacts_exactly_what_cassettes_redact(metadata: dict[str, str]) -> None:
    logged = redact_mapping(metadata)
    interaction = cassette_pb2.Interaction(method="/xai_api.Models/ListLanguageModels")
    interaction.request_metadata.extend(cassette_pb2.Metadatum(key=k, text=v) for k, v in metadata.items())
    recorded = Redactor().apply(interaction)
    assert recorded is not None
    in_cassette = {entry.key: entry.text for entry in recorded.request_metadata}
    assert logged == in_cassette
    headers = dict(metadata)
    redact_headers(headers)
    assert headers == logged
    for key, value in metadata.items():
        assert (logged[key] == REDACTED) == (is_credential(key, value) or value == REDACTED)
