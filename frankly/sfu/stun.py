"""STUN messages (RFC 8489) as far as ICE-lite needs them (RFC 8445).

Leaf module, bytes in and bytes out. The SFU answers connectivity checks;
it never sends its own, so only Binding requests and responses are here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import struct
import zlib
from dataclasses import dataclass, field

MAGIC = 0x2112A442
HEADER = struct.Struct("!HHI12s")

BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111

USERNAME = 0x0006
MESSAGE_INTEGRITY = 0x0008
ERROR_CODE = 0x0009
XOR_MAPPED_ADDRESS = 0x0020
PRIORITY = 0x0024
USE_CANDIDATE = 0x0025
FINGERPRINT = 0x8028
ICE_CONTROLLED = 0x8029
ICE_CONTROLLING = 0x802A

_FINGERPRINT_XOR = 0x5354554E


def is_stun(data: bytes) -> bool:
    """RFC 7983 demultiplexing: STUN starts with 0..3 and carries the cookie."""
    return len(data) >= 20 and data[0] < 4 and data[4:8] == b"\x21\x12\xa4\x42"


@dataclass
class Message:
    type: int
    transaction: bytes
    # Attribute type -> raw value, in arrival order (values unpadded).
    attributes: dict[int, bytes] = field(default_factory=dict)
    # Offset of MESSAGE-INTEGRITY in the raw message, to verify it.
    _integrity_at: int = -1
    _raw: bytes = b""

    @property
    def username(self) -> str | None:
        value = self.attributes.get(USERNAME)
        return value.decode("utf-8", "replace") if value is not None else None

    def check_integrity(self, key: bytes) -> bool:
        """Verify MESSAGE-INTEGRITY (short-term credentials: key is the password)."""
        mac = self.attributes.get(MESSAGE_INTEGRITY)
        if mac is None or self._integrity_at < 0:
            return False
        expected = _integrity(self._raw[: self._integrity_at], key)
        return hmac.compare_digest(mac, expected)


def parse(data: bytes) -> Message:
    """Parse a STUN message; raise ValueError with the exact problem."""
    if len(data) < HEADER.size:
        raise ValueError("STUN message shorter than its 20-byte header")
    kind, length, magic, transaction = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("STUN magic cookie is wrong")
    if kind & 0xC000:
        raise ValueError("STUN message type has its top two bits set")
    if length % 4 or HEADER.size + length != len(data):
        raise ValueError(f"STUN length {length} does not match the {len(data)}-byte datagram")
    message = Message(kind, transaction, _raw=data)
    pos = HEADER.size
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError("STUN attribute header runs past the end")
        attr, size = struct.unpack_from("!HH", data, pos)
        end = pos + 4 + size
        if end > len(data):
            raise ValueError(f"STUN attribute 0x{attr:04x} runs past the end")
        if attr == MESSAGE_INTEGRITY:
            message._integrity_at = pos
        if attr == FINGERPRINT:
            crc = (zlib.crc32(data[:pos]) ^ _FINGERPRINT_XOR) & 0xFFFFFFFF
            if size != 4 or struct.unpack_from("!I", data, pos + 4)[0] != crc:
                raise ValueError("STUN fingerprint does not match")
        message.attributes.setdefault(attr, data[pos + 4 : end])
        pos = end + (-size % 4)
    return message


def binding_success(request: Message, address: tuple[str, int], key: bytes) -> bytes:
    """The answer to a valid Binding request, signed with our password."""
    attrs = [(XOR_MAPPED_ADDRESS, _xor_address(address, request.transaction))]
    return _build(BINDING_SUCCESS, request.transaction, attrs, key)


def binding_error(request: Message, code: int, reason: str, key: bytes | None) -> bytes:
    value = struct.pack("!HBB", 0, code // 100, code % 100) + reason.encode()
    return _build(BINDING_ERROR, request.transaction, [(ERROR_CODE, value)], key)


def binding_request(
    transaction: bytes,
    username: str,
    key: bytes,
    priority: int = 0x6E0001FF,
    controlling: bool = True,
    nominate: bool = True,
) -> bytes:
    """A connectivity check, as a browser sends one (used by tests and the load tool)."""
    role = ICE_CONTROLLING if controlling else ICE_CONTROLLED
    attrs = [
        (USERNAME, username.encode()),
        (PRIORITY, struct.pack("!I", priority)),
        (role, transaction[:8]),
    ]
    if nominate:
        attrs.append((USE_CANDIDATE, b""))
    return _build(BINDING_REQUEST, transaction, attrs, key)


def _build(
    kind: int, transaction: bytes, attrs: list[tuple[int, bytes]], key: bytes | None
) -> bytes:
    body = b"".join(_attribute(a, v) for a, v in attrs)
    if key is not None:
        # The length in the header counts up to and including MESSAGE-INTEGRITY.
        head = HEADER.pack(kind, len(body) + 24, MAGIC, transaction)
        body += _attribute(MESSAGE_INTEGRITY, _integrity(head + body, key, fixed=True))
    head = HEADER.pack(kind, len(body) + 8, MAGIC, transaction)
    crc = (zlib.crc32(head + body) ^ _FINGERPRINT_XOR) & 0xFFFFFFFF
    return head + body + _attribute(FINGERPRINT, struct.pack("!I", crc))


def _integrity(prefix: bytes, key: bytes, fixed: bool = False) -> bytes:
    """HMAC-SHA1 over the message before MESSAGE-INTEGRITY, with the header
    length rewritten to end just after it (RFC 8489 section 14.5)."""
    if not fixed:
        length = len(prefix) - HEADER.size + 24
        prefix = prefix[:2] + struct.pack("!H", length) + prefix[4:]
    return hmac.new(key, prefix, hashlib.sha1).digest()


def _attribute(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\x00" * (-len(value) % 4)


def _xor_address(address: tuple[str, int], transaction: bytes) -> bytes:
    host, port = address[0], address[1]
    ip = ipaddress.ip_address(host)
    xport = port ^ (MAGIC >> 16)
    if ip.version == 4:
        xip = int(ip) ^ MAGIC
        return struct.pack("!BBHI", 0, 1, xport, xip)
    mask = int.from_bytes(struct.pack("!I", MAGIC) + transaction, "big")
    return struct.pack("!BBH", 0, 2, xport) + (int(ip) ^ mask).to_bytes(16, "big")


def read_xor_address(value: bytes, transaction: bytes) -> tuple[str, int]:
    family, xport = value[1], struct.unpack_from("!H", value, 2)[0]
    port = xport ^ (MAGIC >> 16)
    if family == 1:
        return str(ipaddress.IPv4Address(struct.unpack_from("!I", value, 4)[0] ^ MAGIC)), port
    mask = int.from_bytes(struct.pack("!I", MAGIC) + transaction, "big")
    raw = int.from_bytes(value[4:20], "big") ^ mask
    return str(ipaddress.IPv6Address(raw)), port
