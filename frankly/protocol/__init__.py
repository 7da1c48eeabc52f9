"""The signaling protocol: message schemas and error codes. No I/O here."""

from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.messages import PROTOCOL_VERSION, parse

__all__ = ["PROTOCOL_VERSION", "Close", "Code", "ProtocolError", "parse"]
