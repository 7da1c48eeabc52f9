"""The signaling protocol: its words, message schemas and error codes. No I/O here.

`words` and `errors` are plain Python, so the SDK can use the vocabulary
without loading pydantic; only `messages` (the server's schemas) needs it.
"""

from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import PROTOCOL_VERSION

__all__ = ["PROTOCOL_VERSION", "Close", "Code", "ProtocolError"]
