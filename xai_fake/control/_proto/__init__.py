"""Generated code for the control API (``protos/xai_fake/control/v1/``); do not edit the ``*_pb2*`` files."""
