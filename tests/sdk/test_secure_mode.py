"""Secure (TLS) channels carry the key and the deadline on every call kind, client streaming included.

The official SDK drops both on client-streaming calls in insecure mode; ours sends them as call
metadata in every mode. Local and insecure mode are covered in test_files.py; this is TLS, against
a FakeServer with a certificate from a CA made in the test (trustme). The client runs in its own
process so that gRPC reads the test CA from GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
import trustme

from xai_fake import FakeServer

KEY = "xai-secure-mode-key-000000"

CLIENT = textwrap.dedent(
    """
    import json, sys, grpc
    from xai_sdk import Client
    from xai_sdk.chat import user

    port, key, phase = sys.argv[1], sys.argv[2], sys.argv[3]
    # 0.0.0.0 is not a loopback address, so the client picks TLS (Linux connects it to this host);
    # the certificate is for localhost.
    client = Client(api_key=key, api_host=f"ipv4:0.0.0.0:{port}", timeout=5,
                    channel_options=[("grpc.ssl_target_name_override", "localhost")])
    result = {"mode": client._config.api.mode}
    if phase == "calls":
        chat = client.chat.create("grok-4", messages=[user("hi")])
        result["unary"] = bool(chat.sample().content)
        result["chunks"] = sum(1 for _ in chat.stream())
        result["upload"] = client.files.upload(b"secret plans", filename="plans.txt").filename
    else:
        try:
            client.files.upload(b"slow", filename="slow.txt", timeout=0.3)
        except grpc.RpcError as error:
            result["deadline"] = error.code().name
    print(json.dumps(result))
    """
)


def test_tls_channel_sends_key_and_deadline_on_every_call_kind(tmp_path: Path) -> None:
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost")
    roots = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(roots))
    chain = b"".join(blob.bytes() for blob in certificate.cert_chain_pems)
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    env = {**os.environ, "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(roots)}

    def run(fake: FakeServer, phase: str) -> dict[str, object]:
        command = [sys.executable, str(script), str(fake.port), KEY, phase]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)  # type: ignore[no-any-return]

    # api_keys restricts the fake: a call succeeds only if the key arrived.
    with FakeServer(api_keys={KEY}, tls=(chain, certificate.private_key_pem.bytes())) as fake:
        calls = run(fake, "calls")
        fake.fault(delay=5.0, method="Files/UploadFile")
        stalled = run(fake, "deadline")
        codes = [(c.method.split("/")[1], c.code) for c in fake.requests]
        deadlines = [c.time_remaining for c in fake.requests]
    assert calls["mode"] == stalled["mode"] == "secure"
    assert calls["unary"] is True
    assert isinstance(calls["chunks"], int) and calls["chunks"] > 2
    assert calls["upload"] == "plans.txt"
    assert stalled["deadline"] == "DEADLINE_EXCEEDED"
    ok = grpc.StatusCode.OK
    assert codes[:3] == [("GetCompletion", ok), ("GetCompletionChunk", ok), ("UploadFile", ok)]
    # Every call arrived with a deadline: the client's 5 s, and the stalled upload's 0.3 s, which ended it.
    assert all(d is not None and 0 < d <= 5.1 for d in deadlines[:3]), deadlines
    assert deadlines[3] is not None
    assert 0 < deadlines[3] <= 0.31
    assert codes[3][0] == "UploadFile"
    assert codes[3][1] in (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED)
