"""Conversions between the ``ServiceTier`` literal and the ``usage_pb2.ServiceTier`` enum."""

from __future__ import annotations

from xai_sdk.proto import usage_pb2
from xai_sdk.types.common import ServiceTier

__all__ = ["ServiceTierMap", "service_tier_from_proto", "service_tier_to_proto"]

ServiceTierMap: dict[ServiceTier, usage_pb2.ServiceTier] = {
    "default": usage_pb2.SERVICE_TIER_DEFAULT,
    "priority": usage_pb2.SERVICE_TIER_PRIORITY,
}


def service_tier_to_proto(tier: ServiceTier) -> usage_pb2.ServiceTier:
    """The enum value of ``tier``; a ValueError lists the valid tiers otherwise."""
    try:
        return ServiceTierMap[tier]
    except KeyError:
        raise ValueError(
            f"Invalid service tier: {tier!r}. Must be one of: {', '.join(map(repr, ServiceTierMap))}"
        ) from None


def service_tier_from_proto(tier: usage_pb2.ServiceTier | int) -> ServiceTier:
    """The literal of an enum value; unset and unknown values read as ``"default"``."""
    return "priority" if tier == usage_pb2.SERVICE_TIER_PRIORITY else "default"
