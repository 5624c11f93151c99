"""Envelope encryption of community reporters' identities (name, phone).

Each identity is encrypted with its own random data key (AES-256-GCM, the report id as associated
data, so a ciphertext cannot be moved to another report); the data key is wrapped with the
key-encryption key read from the file named by ``BLUEHELMET_IDENTITY_KEY_FILE`` (not in settings,
not in the database). A database dump alone reveals no identity. The next step (not built) is a
key held by an HSM/KMS, so that the web server never holds the key-encryption key either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bluehelmet.errors import BluehelmetError

NONCE = 12


class IdentityKeyError(BluehelmetError):
    """The identity key file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Sealed:
    """An encrypted identity: key id, wrapped data key, ciphertext."""

    key_id: str
    wrapped_key: bytes
    ciphertext: bytes


def create_key_file(path: Path) -> None:
    """Write a new random key-encryption key to ``path`` (mode 0600); refuse to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode() + "\n")


def _kek(path: str | Path) -> tuple[str, bytes]:
    if not str(path):
        raise IdentityKeyError(
            "BLUEHELMET_IDENTITY_KEY_FILE is not set; it must name the file "
            "holding the identity key (create one with "
            "'bluehelmet admin identity-key PATH')"
        )
    try:
        key = base64.b64decode(Path(path).read_text().strip(), validate=True)
    except (OSError, ValueError) as exc:
        raise IdentityKeyError(
            f"{path}: cannot read the identity key ({exc}); expected one "
            "line of base64 holding 32 bytes"
        ) from None
    if len(key) != 32:
        raise IdentityKeyError(f"{path}: the identity key has {len(key)} bytes; expected 32")
    return hashlib.sha256(key).hexdigest()[:16], key


def seal(identity: dict[str, str], report_uid: str, key_file: str | Path) -> Sealed:
    """Encrypt ``identity`` for the report ``report_uid``."""
    key_id, kek = _kek(key_file)
    data_key = AESGCM.generate_key(bit_length=256)
    nonce, wrap_nonce = os.urandom(NONCE), os.urandom(NONCE)
    plain = json.dumps(identity, ensure_ascii=False).encode()
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plain, report_uid.encode())
    wrapped = wrap_nonce + AESGCM(kek).encrypt(wrap_nonce, data_key, key_id.encode())
    return Sealed(key_id, wrapped, ciphertext)


def unseal(sealed: Sealed, report_uid: str, key_file: str | Path) -> dict[str, str]:
    """Decrypt an identity sealed by :func:`seal` (callers audit every call)."""
    key_id, kek = _kek(key_file)
    if key_id != sealed.key_id:
        raise IdentityKeyError(
            f"identity sealed with key {sealed.key_id}, but the key file holds key {key_id}"
        )
    data_key = AESGCM(kek).decrypt(
        sealed.wrapped_key[:NONCE], sealed.wrapped_key[NONCE:], key_id.encode()
    )
    plain = AESGCM(data_key).decrypt(
        sealed.ciphertext[:NONCE], sealed.ciphertext[NONCE:], report_uid.encode()
    )
    return dict(json.loads(plain))
