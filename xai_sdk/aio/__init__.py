"""The asyncio client: :class:`xai_sdk.aio.client.Client` (also ``xai_sdk.AsyncClient``)."""
