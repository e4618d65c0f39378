"""Upload several files at once with the async client, then download and delete them.

Run against the fake with ``xai-fake exec -- python examples/aio/files.py``.
"""

import asyncio
import io
from typing import Any

from xai_sdk import AsyncClient


async def main() -> None:
    async with AsyncClient() as client:
        buffers = []
        for day in ("monday", "tuesday", "wednesday"):
            buffer = io.BytesIO(f"Report for {day}: all systems normal.".encode())
            buffer.name = f"{day}.txt"
            buffers.append(buffer)

        def done(index: int, file: Any, result: Any) -> None:
            status = "failed" if isinstance(result, BaseException) else f"stored as {result.id}"
            print(f"  {file.name}: {status}")

        results = await client.files.batch_upload(buffers, batch_size=2, on_file_complete=done)
        for index in sorted(results):
            result = results[index]
            if isinstance(result, BaseException):
                continue
            text = (await client.files.content(result.id)).decode()
            print(f"{result.filename}: {text!r}")
            await client.files.delete(result.id)


if __name__ == "__main__":
    asyncio.run(main())
