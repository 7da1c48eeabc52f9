"""Whose connection is this: the peer's address, the proxy's word for it, its group.

Limits key on an address *group*: one IPv4 address, or one IPv6 /64, the
block a single home or host is normally given (so one attacker does not get
2^64 fresh addresses). Loopback stays itself: it is this machine.

Behind a reverse proxy (`--trust-proxy`) the client's address comes from the
last X-Forwarded-For entry, the one the proxy itself added. Anything there
that is not an address is a misconfigured proxy, and the upgrade is refused
(docs/security.md) instead of falling back to the loopback peer, which limits
exempt.
"""

from __future__ import annotations

import ipaddress
import re

from starlette.datastructures import Headers

IPV6_GROUP = 64  # prefix length that counts as one address

# What a proxy may write: an address, "1.2.3.4:5678", or "[2001:db8::1]:5678".
_PORTED = re.compile(r"^\[(?P<v6>[0-9A-Fa-f:.]+)\](?::\d{1,5})?$|^(?P<v4>[0-9.]+):\d{1,5}$")


class BadForwardedFor(ValueError):
    """X-Forwarded-For holds something that is not an address."""


def group(address: str) -> str:
    """The address that stands for the group `address` belongs to.

    An IPv4 address stands for itself, as does loopback; an IPv6 address for
    its /64 network, written as an address ("2001:db8:1:2::") so that every
    caller can keep parsing it as one. IPv4-mapped IPv6 is the IPv4 address.
    Anything that is not an address is returned unchanged.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if not ip.is_loopback:
            network = ipaddress.IPv6Network((ip, IPV6_GROUP), strict=False)
            return str(network.network_address)
    return str(ip)


def forwarded_for(headers: Headers) -> str | None:
    """The address the proxy saw (the last X-Forwarded-For entry), or None without one.

    Raises BadForwardedFor when that entry is not an address.
    """
    values = headers.getlist("x-forwarded-for")
    if not values:
        return None
    last = ",".join(values).split(",")[-1].strip()
    return str(ipaddress.ip_address(_strip_port(last)))


def _strip_port(text: str) -> str:
    ported = _PORTED.match(text)
    candidate = (ported.group("v6") or ported.group("v4")) if ported else text
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        shown = text if len(text) <= 64 else text[:64] + "..."
        raise BadForwardedFor(
            f"X-Forwarded-For ends in {shown!r}, which is not an address"
        ) from None
    return candidate


def client_address(peer: str | None, headers: Headers, trust_proxy: bool) -> str:
    """The client's address group; behind a trusted proxy, the one the proxy saw.

    Raises BadForwardedFor (only with trust_proxy) for a malformed header.
    """
    forwarded = forwarded_for(headers) if trust_proxy else None
    return group(forwarded or peer or "unknown")
