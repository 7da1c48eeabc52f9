"""Random text ids for rows whose id reaches a URL, and secrets kept only as hashes.

An id is a short prefix that names its table and 16 hex digits (64 random
bits): it cannot be guessed or counted, so an id in a URL says nothing about
how many dialogues a server holds. A credential's secret goes to the browser
once; the database keeps its SHA-256, which is enough to recognise it and
useless to whoever reads a backup.
"""

from __future__ import annotations

import hashlib
import secrets

DIALOGUE = "d"
SIDE = "s"
MEMBER = "mb"
CREDENTIAL = "cr"
INVITE = "in"
MEETING = "mt"
PROPOSAL = "pr"
READOUT = "ro"
COMMENT = "cm"
POINT = "pt"
DEVICE_LINK = "dl"

ID_LENGTH = 24  # the widest prefix, a dash and 16 hex digits, with room to spare
SECRET_BYTES = 32


def new_id(prefix: str) -> str:
    """'d-' followed by 16 random hex digits, for example."""
    return f"{prefix}-{secrets.token_hex(8)}"


def new_secret() -> str:
    """A credential's secret, as the browser keeps it (URL-safe text)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    """What the database stores of a secret: its SHA-256, 64 hex digits.

    A plain hash suffices because the secret is 256 random bits, not a
    password a person chose: nothing smaller than it can be guessed.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
