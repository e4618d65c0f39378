"""The layers of a request, in the order of :data:`xai_fake.chain.LAYER_ORDER`."""
