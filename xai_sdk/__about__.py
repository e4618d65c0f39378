"""Version of the ``xai-devkit`` distribution, shared by ``xai_sdk`` and ``xai_fake``."""

__version__ = "0.1.0"
