"""Check which API key the asyncio client uses, with a short deadline for the call.

Run against the fake with ``xai-fake exec -- python examples/aio/auth.py``.
"""

import asyncio

from xai_sdk import AsyncClient


async def main() -> None:
    async with AsyncClient() as client:
        key = await client.auth.get_api_key_info(timeout=10)
    print(f"Key {key.redacted_api_key} of team {key.team_id}")
    print(f"  permissions: {', '.join(key.acls) or 'none'}")
    print(f"  blocked: {key.api_key_blocked or key.team_blocked}, disabled: {key.disabled}")


if __name__ == "__main__":
    asyncio.run(main())
