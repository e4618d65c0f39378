"""An upload whose client dies half way is never stored, and never logged OK.

One child process holds 30 uploads open on 30 connections and is killed with SIGKILL: ten
wait after a few small chunks, ten keep sending 1 MiB chunks as fast as they can (so the kill
lands inside a message), ten wait after their ``init`` alone. gRPC's asyncio server ends the
request stream of a vanished client as if the client had finished sending; the fake must tell
the difference.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import grpc

from xai_fake import FakeServer

UPLOADS = 30
UPLOAD = "xai_api.Files/UploadFile"

CLIENT = textwrap.dedent(
    """
    import asyncio, sys
    import grpc
    from xai_sdk.proto import files_pb2, files_pb2_grpc

    address, key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

    async def chunks(index):
        yield files_pb2.UploadFileChunk(init=files_pb2.UploadFileInit(name=f"part-{index}.bin"))
        kind = index % 3
        if kind == 0:  # a few small chunks, then silence
            for _ in range(3):
                yield files_pb2.UploadFileChunk(data=b"x" * 1000)
        print(f"sending {index}", flush=True)
        if kind == 1:  # big chunks without pause: the kill lands inside one
            while True:
                yield files_pb2.UploadFileChunk(data=b"y" * (1 << 20))
        await asyncio.Event().wait()

    async def upload(index):
        # A channel option of its own gives each upload its own connection.
        channel = grpc.aio.insecure_channel(address, options=[("xai.test.connection", index)])
        stub = files_pb2_grpc.FilesStub(channel)
        await stub.UploadFile(chunks(index), metadata=(("authorization", f"Bearer {key}"),))

    async def main():
        await asyncio.gather(*(upload(index) for index in range(count)))

    asyncio.run(main())
    """
)


def test_uploads_of_killed_clients_are_neither_stored_nor_logged_ok() -> None:
    with FakeServer() as fake, fake.client() as client:
        child = subprocess.Popen(
            [sys.executable, "-c", CLIENT, fake.address, fake.api_key, str(UPLOADS)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        try:
            assert child.stdout is not None
            started = [child.stdout.readline() for _ in range(UPLOADS)]
            assert all(line.startswith("sending") for line in started), started
            time.sleep(0.3)  # every upload is under way, and the fast senders are mid-message
            # A client stream reaches the layers only once it has ended, so none is logged yet.
            assert fake.requests.count(UPLOAD) == 0
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
            if child.stdout is not None:
                child.stdout.close()

        # The fake learns of the dead connections at once; watch long enough for a wrongly
        # completed upload to be stored, then check one that completes is.
        for _ in range(20):
            time.sleep(0.05)
            assert not [call for call in fake.requests.of(UPLOAD) if call.code == grpc.StatusCode.OK]
            assert list(client.files.list().data) == []
        stored = client.files.upload(b"whole", filename="whole.txt")
        assert [file.id for file in client.files.list().data] == [stored.id]
        assert fake.requests.count(UPLOAD) == 1
