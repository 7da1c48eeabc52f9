"""A self-signed certificate for serving beyond loopback without a proxy.

Browsers allow camera and microphone only on https or localhost, so a server
listening on a LAN address needs TLS. Made once, kept in the data directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from frankly.server.keys import KeyFileError, check_private, make_private_dir


def self_signed(data_dir: Path, host: str) -> tuple[Path, Path]:
    """Return (cert, key) paths, making them if they are missing."""
    cert_path, key_path = data_dir / "tls" / "cert.pem", data_dir / "tls" / "key.pem"
    if cert_path.exists() and key_path.exists():
        check_private(key_path)
        check_pair(cert_path, key_path, made_here=True)
        return cert_path, key_path
    make_private_dir(data_dir)
    make_private_dir(cert_path.parent)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Frankly (self-signed)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def check_pair(cert: Path, key: Path, made_here: bool = False) -> None:
    """Load the pair as the server will, turning a failure into a sentence."""
    fix = "delete both and Frankly makes new ones" if made_here else "check --tls-cert/--tls-key"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise KeyFileError(f"{exc.filename} does not exist ({fix})") from None
    except (ssl.SSLError, OSError) as exc:
        what = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise KeyFileError(
            f"{cert} and {key} are not a usable certificate and key: {what} ({fix})"
        ) from None


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName(socket.gethostname())]
    for candidate in {host, "127.0.0.1", "::1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(candidate)))
        except ValueError:
            if candidate not in ("0.0.0.0", "::"):
                names.append(x509.DNSName(candidate))
    return names


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
