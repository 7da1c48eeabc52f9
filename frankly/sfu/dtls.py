"""DTLS-SRTP without I/O: datagrams in, datagrams out, SRTP sessions at the end.

The SFU is the DTLS server (its SDP answers say a=setup:passive). Once the
handshake is done and the peer's certificate matches the fingerprint its SDP
gave, the keying material becomes one libsrtp session for each direction.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import hmac
from dataclasses import dataclass

import pylibsrtp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from OpenSSL import SSL


@dataclass(frozen=True)
class _Profile:
    libsrtp: int
    openssl: bytes
    key: int
    salt: int


# Preferred first: AES-GCM is both faster and authenticated (DESIGN.md figures).
_PROFILES = [
    _Profile(pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM, b"SRTP_AEAD_AES_128_GCM", 16, 12),
    _Profile(pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80, b"SRTP_AES128_CM_SHA1_80", 16, 14),
]


class Certificate:
    """The server's DTLS identity: one key pair, its SHA-256 fingerprint in SDP."""

    def __init__(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "frankly-sfu")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        self.fingerprint = _colon_hex(cert.fingerprint(hashes.SHA256()))
        self._cert = cert
        self._key = key

    def context(self) -> SSL.Context:
        ctx = SSL.Context(SSL.DTLS_METHOD)
        ctx.set_options(SSL.OP_NO_TICKET)
        # WebRTC never resumes a DTLS session; a server-side cache would keep
        # one entry (with the peer's certificate) for every join, for good.
        ctx.set_session_cache_mode(SSL.SESS_CACHE_OFF)
        # Accept any certificate here: it is checked against the SDP fingerprint.
        ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *_: True)
        ctx.use_certificate(self._cert)
        ctx.use_privatekey(self._key)
        ctx.set_cipher_list(b"HIGH:!CAMELLIA:!aNULL")
        ctx.set_tlsext_use_srtp(b":".join(p.openssl for p in _PROFILES))
        return ctx


class State(enum.Enum):
    HANDSHAKING = "handshaking"
    CONNECTED = "connected"
    FAILED = "failed"
    CLOSED = "closed"


class DtlsError(Exception):
    pass


class Endpoint:
    """One DTLS association. Feed it datagrams; send what it returns."""

    def __init__(self, ctx: SSL.Context, remote_fingerprint: str, server: bool = True) -> None:
        # None once closed: see _free.
        self._ssl: SSL.Connection | None = SSL.Connection(ctx, None)
        if server:
            self._ssl.set_accept_state()
        else:
            self._ssl.set_connect_state()
        self._server = server
        self._expected = remote_fingerprint.upper()
        self.state = State.HANDSHAKING
        self.rx: pylibsrtp.Session | None = None
        self.tx: pylibsrtp.Session | None = None

    def start(self) -> list[bytes]:
        """For the client role: the first flight."""
        if self._ssl is None:
            return []
        self._advance(self._ssl)
        return _drain(self._ssl)

    def receive(self, datagram: bytes) -> list[bytes]:
        """Take one DTLS record datagram; return datagrams to send back."""
        ssl = self._ssl
        if ssl is None or self.state is State.CLOSED or self.state is State.FAILED:
            return []
        ssl.bio_write(datagram)
        if self.state is State.HANDSHAKING:
            self._advance(ssl)
        else:
            self._read_application_data(ssl)
        return _drain(ssl)

    def timeout(self) -> float | None:
        """Seconds until a handshake retransmission is due, if one is pending."""
        if self._ssl is None or self.state is not State.HANDSHAKING:
            return None
        value: float | None = self._ssl.DTLSv1_get_timeout()
        return value

    def on_timeout(self) -> list[bytes]:
        if self._ssl is None:
            return []
        if self.state is State.HANDSHAKING:
            self._ssl.DTLSv1_handle_timeout()
        return _drain(self._ssl)

    def close(self) -> list[bytes]:
        """End the association: its close_notify to send, and its memory freed."""
        ssl = self._ssl
        if ssl is None:
            return []
        if self.state is State.CONNECTED:
            with contextlib.suppress(SSL.Error):
                ssl.shutdown()
        self.state = State.CLOSED
        goodbye = _drain(ssl)
        self._free()
        return goodbye

    def _free(self) -> None:
        """Let go of the OpenSSL and libsrtp state now, not when this object goes.

        That state is native memory (about 86 KiB of DTLS buffers and 14 KiB
        of SRTP sessions an association), which tracemalloc does not see.
        Whatever still refers to a closed endpoint, such as a reference cycle
        that only the cyclic GC frees, would keep it for as long as that
        lasts; the GC's full collections are rare in the SFU, and glibc cannot
        give back a heap that is full of holes by then. Dropping the last
        references here frees it at once (docs/benchmarks.md, the soak).
        """
        self._ssl = None
        self.rx = None
        self.tx = None

    def _advance(self, ssl: SSL.Connection) -> None:
        try:
            ssl.do_handshake()
        except SSL.WantReadError:
            return
        except SSL.Error as exc:
            self.state = State.FAILED
            raise DtlsError(f"DTLS handshake failed: {exc}") from None
        self._check_peer(ssl)
        self._setup_srtp(ssl)
        self.state = State.CONNECTED

    def _read_application_data(self, ssl: SSL.Connection) -> None:
        try:
            ssl.recv(1500)  # nothing is expected here but close_notify
        except SSL.ZeroReturnError:
            self.state = State.CLOSED
        except SSL.Error:
            pass

    def _check_peer(self, ssl: SSL.Connection) -> None:
        cert = ssl.get_peer_certificate()
        if cert is None:
            self.state = State.FAILED
            raise DtlsError("DTLS peer sent no certificate")
        actual = _colon_hex(cert.to_cryptography().fingerprint(hashes.SHA256()))
        if not hmac.compare_digest(actual, self._expected):
            self.state = State.FAILED
            raise DtlsError("DTLS peer certificate does not match the SDP fingerprint")

    def _setup_srtp(self, ssl: SSL.Connection) -> None:
        chosen = ssl.get_selected_srtp_profile()
        profile = next((p for p in _PROFILES if p.openssl == chosen), None)
        if profile is None:
            self.state = State.FAILED
            raise DtlsError("DTLS peer negotiated no SRTP profile")
        material = ssl.export_keying_material(
            b"EXTRACTOR-dtls_srtp", 2 * (profile.key + profile.salt)
        )
        client = _key_and_salt(material, profile, 0)
        server = _key_and_salt(material, profile, 1)
        rx, tx = (client, server) if self._server else (server, client)
        self.rx = _session(rx, profile, pylibsrtp.Policy.SSRC_ANY_INBOUND)
        self.tx = _session(tx, profile, pylibsrtp.Policy.SSRC_ANY_OUTBOUND)


def _drain(ssl: SSL.Connection) -> list[bytes]:
    out: list[bytes] = []
    while True:
        try:
            data = ssl.bio_read(1500)
        except SSL.WantReadError:
            return out
        out.append(data)


def _key_and_salt(material: bytes, profile: _Profile, index: int) -> bytes:
    key_at = index * profile.key
    salt_at = 2 * profile.key + index * profile.salt
    return material[key_at : key_at + profile.key] + material[salt_at : salt_at + profile.salt]


def _session(key: bytes, profile: _Profile, ssrc_type: int) -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(key=key, ssrc_type=ssrc_type, srtp_profile=profile.libsrtp)
    # Retransmissions (NACK, RTX) re-send a sequence number the window has seen.
    policy.allow_repeat_tx = True
    policy.window_size = 1024
    return pylibsrtp.Session(policy)


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)


def is_dtls(data: bytes) -> bool:
    """RFC 7983: DTLS records start with 20..63."""
    return bool(data) and 20 <= data[0] <= 63
