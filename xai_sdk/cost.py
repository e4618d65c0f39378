"""Request cost in US dollars, from the ``cost_in_usd_ticks`` the API reports in ``SamplingUsage``."""

from __future__ import annotations

from xai_sdk.proto import usage_pb2

__all__ = ["USD_PER_TICK", "cost_usd_from_usage"]

#: The API counts cost in ticks of one ten-billionth of a dollar.
USD_PER_TICK = 1e-10


def cost_usd_from_usage(usage: usage_pb2.SamplingUsage) -> float | None:
    """The cost in USD, or ``None`` when the server left ``cost_in_usd_ticks`` unset."""
    if not usage.HasField("cost_in_usd_ticks"):
        return None
    return usage.cost_in_usd_ticks * USD_PER_TICK
