"""Generated code for the cassette format (``protos/xai_fake/cassette/v1/``); do not edit the ``*_pb2*`` files."""
