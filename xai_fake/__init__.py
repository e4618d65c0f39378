"""A fake of the xAI API for tests: an in-process gRPC server.

Work in progress: the server, its pytest plugin and the ``xai-fake`` command are not
implemented yet (see the README's status section). Only the package exists so far.
"""

from xai_sdk.__about__ import __version__

__all__ = ["__version__"]
