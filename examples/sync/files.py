"""Upload a file with a progress report, read it back, share it, and clean up.

Run against the fake with ``xai-fake exec -- python examples/sync/files.py``.
"""

import datetime
import os
import tempfile

from xai_sdk import Client


def main() -> None:
    notes = b"Meeting notes\n" + b"- ship the release\n" * 300_000  # about 5.4 MiB: two upload messages
    with tempfile.TemporaryDirectory() as folder, Client() as client:
        path = os.path.join(folder, "notes.txt")
        with open(path, "wb") as handle:
            handle.write(notes)

        def report(sent: int, total: int) -> None:
            print(f"  uploaded {sent:>9,} of {total:,} bytes")

        uploaded = client.files.upload(path, on_progress=report, expires_after=datetime.timedelta(days=1))
        print(f"Uploaded {uploaded.filename} as {uploaded.id} ({uploaded.size:,} bytes)")
        assert client.files.content(uploaded.id) == notes

        small = client.files.upload(b"%PDF-1.4 tiny", filename="tiny.pdf")
        url = client.files.create_public_url(small.id, expires_after=3600)
        print(f"Public link for {small.filename}: {url.public_url}")
        client.files.revoke_public_url(small.id)

        page = client.files.list(sort_by="size", order="desc", limit=10)
        for file in page.data:
            print(f"  {file.filename:<10} {file.size:>10,} bytes")
        for file in page.data:
            client.files.delete(file.id)
        print(f"Deleted {len(page.data)} files")


if __name__ == "__main__":
    main()
