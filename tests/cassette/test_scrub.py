"""The recording proxy scrubs the keys it forwards, and signed-URL credentials, from everything it writes.

Placements covered: credential metadata of every credential-like name (``x-credential``,
``x-goog-api-key``...), the key in a prompt the client sent, in the upstream's answer text, in
its status details and trailing metadata, in an uploaded file's bytes, inside ``Any`` and
``Struct`` values; signed-URL query parameters (``token``, ``X-Amz-*``, ``X-Goog-*``, ``sig``,
``key``...) in answers and prompts; and, in HTTP (vcrpy) cassettes, query strings, bodies and
``Set-Cookie``. Each is searched for in every file of the cassette's directory (the ``.pb`` or
text cassette, its journal, ``.http.yaml``) and in what the CLI prints.
"""

from __future__ import annotations

import http.server
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import vcr  # noqa: F401 - loaded here, so that in-process runs never import yaml's C extension twice
from google.protobuf import any_pb2, struct_pb2

from tests.cassette.conftest import SECRET_KEY, SECRET_MANAGEMENT_KEY, make_upstream, real_keys, recording
from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import load, to_text
from xai_fake.cassette.format import pack
from xai_fake.cassette.redact import redacted_for_matching, scrub
from xai_fake.credentials import REDACTED, Secrets, credential_values, is_credential_param, redact_query
from xai_sdk.chat import user
from xai_sdk.proto import chat_pb2, files_pb2, image_pb2

#: Credentials sent under other credential-like metadata names: each must be scrubbed wherever it appears.
EXTRA = {
    "x-credential": "cred-4d1f9a7e2b6c",
    "x-goog-api-key": "goog-8e3b5c1a9d2f",
    "proxy-authorization": "Basic cHJveHk6c2VjcmV0LTk5",
    "x-auth-token": "auth-6a2e8c4b0d1f",
    "x-session-secret": "sess-3f7d1b9e5a2c",
}
#: The values of signed-URL parameters in answers and prompts.
SIGNATURES = ("sigval-0f9e8d7c6b5a", "amzsig-1a2b3c4d5e6f", "amzcred-AKIA99887766", "googsig-77aa88bb99cc")
SIGNED_URL = (
    "https://bucket.s3.amazonaws.com/out.png?X-Amz-Credential=amzcred-AKIA99887766&X-Amz-Signature=amzsig-1a2b3c4d5e6f"
    "&token=sigval-0f9e8d7c6b5a&width=512"
)
GCS_URL = "https://storage.googleapis.com/b/v.mp4?X-Goog-Signature=googsig-77aa88bb99cc&alt=media"
SECRETS = (SECRET_KEY, SECRET_MANAGEMENT_KEY, *EXTRA.values(), *SIGNATURES)


def assert_nowhere(texts: dict[str, bytes | str], secrets: tuple[str, ...] = SECRETS) -> None:
    """No secret, in UTF-8 or UTF-16, whole or its tail, in any of ``texts``."""
    for name, text in texts.items():
        data = text.encode() if isinstance(text, str) else text
        for secret in secrets:
            for encoded in (secret.encode(), secret.encode("utf-16-le"), secret[6:].encode()):
                assert encoded not in data, f"{secret[:6]}... leaked into {name}"


def every_file(folder: Path) -> dict[str, bytes | str]:
    files: dict[str, bytes | str] = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert files, f"nothing was written in {folder}"
    return files


# -- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["token", "signature", "sig", "key", "access_token", "api_key", "X-Amz-Signature", "x-amz-credential",
     "X-Amz-Security-Token", "X-Goog-Signature", "x-goog-credential", "X%2DAmz%2DSignature", "x-credential",
     "client_secret", "Policy", "password"],
)  # fmt: skip
def test_credential_query_parameters_are_redacted(name: str) -> None:
    assert is_credential_param(name)
    url = f"https://cdn.example/a.png?w=2&{name}=s3cr3t-value&h=3#top"
    assert redact_query(url) == f"https://cdn.example/a.png?w=2&{name}={REDACTED}&h=3#top"
    assert redact_query(redact_query(url)) == redact_query(url)


def test_other_query_parameters_and_texts_are_kept() -> None:
    kept = "https://example.com/search?q=cats&page=2&format=png and a=b in prose, x = y"
    assert redact_query(kept) == kept
    assert not is_credential_param("width")
    json = '{"url": "https://x.example/i?sig=abc\\u0026size=2", "u": "https://user:hunter2-pw@host.example/p"}'
    assert (
        redact_query(json)
        == f'{{"url": "https://x.example/i?sig={REDACTED}\\u0026size=2", "u": "https://user:{REDACTED}@host.example/p"}}'
    )


def test_credential_values_takes_the_token_after_the_scheme() -> None:
    pairs = [("authorization", f"Bearer {SECRET_KEY}"), ("x-trace", "kept-value-123"), ("x-api-key", "short")]
    assert credential_values(pairs) == {f"Bearer {SECRET_KEY}", SECRET_KEY}
    assert credential_values([("x-credential-bin", EXTRA["x-credential"].encode())]) == {EXTRA["x-credential"]}
    assert repr(Secrets([SECRET_KEY])) == "<Secrets: 1 values, hidden>"


def test_scrub_reaches_every_string_and_bytes_field_at_any_depth() -> None:
    secrets = Secrets([SECRET_KEY])
    request = chat_pb2.GetCompletionsRequest(model="grok-4", user=f"me {SECRET_KEY}")
    request.messages.add().content.add().text = f"my key is {SECRET_KEY}, see {SIGNED_URL}"
    struct = struct_pb2.Struct()
    struct.update({"deep": {"list": [f"k={SECRET_KEY}"]}, SECRET_KEY: "as a map key"})
    nested, unknown = any_pb2.Any(), any_pb2.Any(type_url="type.googleapis.com/no.such.Type")
    nested.Pack(struct)
    unknown.value = b"\x0a\x1c" + SECRET_KEY.encode()
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion", status_details=f"bad {SECRET_KEY}")
    interaction.requests.append(pack(request))
    interaction.responses.append(pack(files_pb2.UploadFileChunk(data=b"\x00\x01" + SECRET_KEY.encode())))
    interaction.responses.add().body.Pack(nested)  # an Any inside an Any
    interaction.responses.add().body.CopyFrom(unknown)
    interaction.trailing_metadata.add(key="x-debug", text=f"key={SECRET_KEY}")
    interaction.trailing_metadata.add(key="x-debug-bin", binary=SECRET_KEY.encode())

    assert scrub(interaction, secrets)

    data = interaction.SerializeToString()
    assert SECRET_KEY.encode() not in data and b"amzsig" not in data and b"sigval" not in data
    assert len(interaction.responses[2].body.value) == len(unknown.value), "an unknown type keeps its encoding valid"
    text = to_text(load_one(interaction))
    assert "width=512" in text and "my key is <redacted>" in text and "X-Amz-Signature=<redacted>" in text
    assert not scrub(interaction, secrets), "scrubbing again changes nothing"


def test_a_clean_interaction_is_left_as_it_is() -> None:
    interaction = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion", status_details="fine")
    interaction.requests.append(pack(chat_pb2.GetCompletionsRequest(model="grok-4", user="alice")))
    before = interaction.SerializeToString()
    assert not scrub(interaction, Secrets([SECRET_KEY]))
    assert interaction.SerializeToString() == before


def test_a_live_request_can_be_redacted_as_its_recording_was() -> None:
    signed = chat_pb2.GetCompletionsRequest(model="grok-4")
    signed.messages.add().content.add().text = f"see {SIGNED_URL}"
    redacted = redacted_for_matching(signed)
    assert redacted is not signed and "amzsig" not in str(redacted) and "amzsig" in str(signed)
    plain = chat_pb2.GetCompletionsRequest(model="grok-4", user="alice")
    assert redacted_for_matching(plain) is plain


def load_one(interaction: cassette_pb2.Interaction) -> cassette_pb2.Cassette:
    cassette = cassette_pb2.Cassette()
    cassette.interactions.append(interaction)
    return cassette


# -- through a real recording proxy ------------------------------------------------------------


def secret_answers(upstream: FakeServer) -> None:
    """An upstream that answers with the keys and signed URLs in its texts, details and trailers."""
    upstream.chat.reply(f"your key {SECRET_KEY} and {SECRET_MANAGEMENT_KEY}; image: {SIGNED_URL}", times=1)
    image = image_pb2.ImageResponse(model="grok-2-image")
    image.images.add(url=SIGNED_URL)
    image.images.add(url=GCS_URL)
    upstream.script("Image/GenerateImage").respond(image, times=1)
    upstream.fault(
        grpc.StatusCode.PERMISSION_DENIED,
        f"key {SECRET_KEY} may not do this",
        method="Models/ListLanguageModels",
        times=1,
        trailing_metadata=[("x-echo", f"you sent {SECRET_KEY}"), ("x-credential", EXTRA["x-credential"])],
    )


def record_secrets(path: Path, upstream: FakeServer) -> FakeServer:
    """Record calls carrying every placement through a proxy; the proxy (stopped) for its request log."""
    secret_answers(upstream)
    metadata = list(EXTRA.items())
    with (
        recording(path, upstream) as proxy,
        proxy.client(**real_keys(), metadata=metadata) as client,
    ):
        answer = client.chat.create("grok-4", messages=[user(f"here is my key {SECRET_KEY}, and {GCS_URL}")]).sample()
        assert SECRET_KEY in answer.content, "the client gets the answer as it came"
        response = client.image.sample("a fox", "grok-2-image", image_format="url")
        assert response.url == SIGNED_URL
        with pytest.raises(grpc.RpcError) as failure:
            client.models.list_language_models()
        assert failure.value.code() == grpc.StatusCode.PERMISSION_DENIED
        client.files.upload(f"file holding {SECRET_KEY}".encode(), filename="notes.txt")
        # The journal, written as each call ends. The management key is not sent yet, so the proxy cannot
        # know it: the answer that held it is scrubbed of it when the cassette is written, at stop.
        assert (path.parent / f"{path.name}.journal").exists()
        assert_nowhere(every_file(path.parent), tuple(s for s in SECRETS if s != SECRET_MANAGEMENT_KEY))
        client.collections.list()
    return proxy


@pytest.mark.parametrize("suffix", [".pb", ".txtpb"])
def test_no_secret_reaches_any_file_of_the_cassette(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"secrets{suffix}"
    with make_upstream() as upstream:
        proxy = record_secrets(path, upstream)
        assert upstream.requests.count() == 5, "the upstream accepted the real keys"
    cassette = load(path)
    assert len(cassette.interactions) == 5
    text = to_text(cassette)
    assert "X-Amz-Signature=<redacted>" in text and "width=512" in text, "the URL is kept, its signature is not"
    assert "here is my key <redacted>" in text
    # The proxy's request log keeps what the client sent and was told (a pasted key, the upstream's details) as is;
    # its metadata is redacted by the rule.
    logged = repr([call.metadata for call in proxy.requests])
    assert_nowhere({**every_file(tmp_path), "cassette text": text, "request log": logged})


def test_cassette_show_and_the_cli_recorder_print_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "cli.txtpb"
    command = [sys.executable, "-m", "xai_fake", "record", "--cassette", str(path)]
    with make_upstream() as upstream:
        command += ["--upstream", upstream.address]
        env = {**os.environ, "XAI_MANAGEMENT_KEY": SECRET_MANAGEMENT_KEY}  # known from the start, though never sent
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
            assert proc.stdout is not None
            lines = [proc.stdout.readline() for _ in range(2)]  # export XAI_API_HOST=..., XAI_MANAGEMENT_API_HOST=...
            host = shlex.split(lines[0].partition("=")[2])[0]
            secret_answers(upstream)
            from xai_sdk import Client

            with Client(api_key=SECRET_KEY, api_host=host, metadata=tuple(EXTRA.items())) as client:
                client.chat.create("grok-4", messages=[user(f"key {SECRET_KEY}")]).sample()
                with pytest.raises(grpc.RpcError):
                    client.models.list_language_models()
            proc.terminate()
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    shown = subprocess.run(
        [sys.executable, "-m", "xai_fake", "cassette", "show", str(path)], capture_output=True, text=True, check=True
    )
    assert "<redacted>" in shown.stdout
    assert_nowhere({**every_file(tmp_path), "record stdout": "".join(lines) + out, "record stderr": err})
    assert_nowhere({"show stdout": shown.stdout, "show stderr": shown.stderr})


# -- HTTP (vcrpy) cassettes --------------------------------------------------------------------


class _SignedFiles(http.server.BaseHTTPRequestHandler):
    """An HTTP file server that sets a session cookie, as CDNs do."""

    def do_GET(self) -> None:
        body = b"\x89PNG\r\n\x1a\n" + b"pixels"
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Set-Cookie", f"session={EXTRA['x-session-secret']}; HttpOnly")
        self.send_header("Location", f"https://cdn.example/o.png?sig={SIGNATURES[0]}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def signed_files() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SignedFiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
HTTP_TEST = """
import os, pytest

@pytest.mark.xai_cassette("download")
def test_download(xai_client):
    response = xai_client.image.sample("a fox", "grok-2-image", image_format="url")
    assert "sig=" in response.url
    assert response.image.startswith(bytes([0x89]) + b"PNG")
"""


def test_http_cassettes_keep_no_key_signature_or_cookie_and_still_replay(
    pytester: pytest.Pytester, signed_files: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_http=HTTP_TEST)
    pytester.makeini(INI)
    url = f"{signed_files}/img.png?sig={SIGNATURES[0]}&X-Amz-Signature={SIGNATURES[1]}&key={SECRET_KEY}&w=2"
    monkeypatch.setenv("XAI_API_KEY", SECRET_KEY)  # recording: the user's real key is kept
    with make_upstream() as upstream:
        image = image_pb2.ImageResponse(model="grok-2-image")
        image.images.add(url=url)
        upstream.script("Image/GenerateImage").respond(image)
        result = pytester.runpytest(
            "-q", "-p", "no:cacheprovider", "--xai-record-mode=once", f"--xai-upstream={upstream.address}"
        )
        result.assert_outcomes(passed=1)
    folder = pytester.path / "cassettes" / "test_http"
    http_yaml = (folder / "download.http.yaml").read_text()
    assert "sig=<redacted>" in http_yaml and "w=2" in http_yaml
    assert "Set-Cookie" in http_yaml or "set-cookie" in http_yaml.lower()
    assert_nowhere({**every_file(folder), "stdout": result.stdout.str(), "stderr": result.stderr.str()})
    # Replay, with the upstream and the HTTP server gone: the redacted URI still matches the live one.
    monkeypatch.delenv("XAI_API_KEY")
    replayed = pytester.runpytest("-q", "-p", "no:cacheprovider", "--xai-cassette-strict")
    replayed.assert_outcomes(passed=1)


def test_a_recorded_request_with_a_signed_url_replays(tmp_path: Path) -> None:
    path = tmp_path / "signed.pb"
    prompt = f"describe {GCS_URL}"
    with make_upstream() as upstream:
        upstream.chat.reply("a video", times=1)
        with recording(path, upstream) as proxy, proxy.client(**real_keys()) as client:
            client.chat.create("grok-4", messages=[user(prompt)]).sample()
    assert "googsig" not in to_text(load(path)), "recorded redacted"
    # Replayed offline: the live request still carries the signature, and matches the redacted recording.
    with FakeServer(cassette=path) as replay, replay.client() as client:
        assert client.chat.create("grok-4", messages=[user(prompt)]).sample().content == "a video"
