"""The nodes' link: proofs of the cluster secret and frames tagged in order (link_seal.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frankly.cluster import link_seal
from frankly.cluster.link_seal import LinkRefused, Sealer

SECRET = b"0123456789abcdef0123456789abcdef"


def pair() -> tuple[Sealer, Sealer]:
    return Sealer(SECRET, "to-lender", "b-nonce", "l-nonce"), Sealer(
        SECRET, "to-lender", "b-nonce", "l-nonce"
    )


def test_frames_open_in_order_and_no_other_way() -> None:
    out, into = pair()
    first, second = out.seal(b'{"op":"open"}'), out.seal(b'{"op":"close"}')
    with pytest.raises(LinkRefused, match="out of order"):
        pair()[1].open(second)  # the second frame first
    assert into.open(first) == b'{"op":"open"}'
    with pytest.raises(LinkRefused):
        into.open(first)  # replayed
    out2, into2 = pair()
    frame = bytearray(out2.seal(b'{"op":"call"}'))
    frame[-1] ^= 1
    with pytest.raises(LinkRefused):
        into2.open(bytes(frame))  # altered
    with pytest.raises(LinkRefused, match="shorter"):
        pair()[1].open(b"short")


def test_each_direction_and_link_has_its_own_key() -> None:
    to_lender = Sealer(SECRET, "to-lender", "b", "l").seal(b"x")
    with pytest.raises(LinkRefused):
        Sealer(SECRET, "to-borrower", "b", "l").open(to_lender)  # reflected back
    with pytest.raises(LinkRefused):
        Sealer(SECRET, "to-lender", "b", "other").open(to_lender)  # another link's
    with pytest.raises(LinkRefused):
        Sealer(b"another secret of the same size.", "to-lender", "b", "l").open(to_lender)


def test_a_proof_checks_only_for_its_role_its_challenges_and_the_secret() -> None:
    proof = link_seal.proof(SECRET, "borrow", "c1", "c2", "a", "b")
    link_seal.check(SECRET, proof, "borrow", "c1", "c2", "a", "b")
    for role, parts in [("lend", ("c1", "c2", "a", "b")), ("borrow", ("c1", "c3", "a", "b"))]:
        with pytest.raises(LinkRefused, match=f"{role} proof"):
            link_seal.check(SECRET, proof, role, *parts)
    with pytest.raises(LinkRefused):
        link_seal.check(b"not the cluster's secret at all", proof, "borrow", "c1", "c2", "a", "b")
    with pytest.raises(LinkRefused):
        link_seal.check(SECRET, None, "borrow", "c1", "c2", "a", "b")


def test_keys_derived_for_two_uses_differ() -> None:
    assert link_seal.derive(SECRET, "relay") != link_seal.derive(SECRET, "link")
    assert len(link_seal.derive(SECRET, "relay")) == 32


def test_the_secret_file_must_hold_a_long_enough_line(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("short\n")
    with pytest.raises(ValueError, match="holds 5 characters: give at least 16"):
        link_seal.read_secret(path)
    path.write_text("a" * 64 + "\nignored\n")
    assert link_seal.read_secret(path) == b"a" * 64
    with pytest.raises(ValueError, match="cannot read the cluster secret file"):
        link_seal.read_secret(tmp_path / "missing")
