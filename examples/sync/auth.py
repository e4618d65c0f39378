"""Check which API key the client uses and whether it is usable.

Run against the fake with ``xai-fake exec -- python examples/sync/auth.py``.
"""

from xai_sdk import Client


def main() -> None:
    with Client() as client:
        key = client.auth.get_api_key_info()
    usable = not (key.disabled or key.api_key_blocked or key.team_blocked)
    print(f"Key {key.redacted_api_key} ({key.name!r}, id {key.api_key_id})")
    print(f"  team {key.team_id}, user {key.user_id}, created {key.create_time.ToDatetime():%Y-%m-%d}")
    print(f"  permissions: {', '.join(key.acls) or 'none'}")
    print("  usable" if usable else "  NOT usable: disabled or blocked")


if __name__ == "__main__":
    main()
