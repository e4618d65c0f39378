"""The blocking client: :class:`xai_sdk.sync.client.Client` (also ``xai_sdk.Client``)."""
