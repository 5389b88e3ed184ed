"""Webhook secrets, their encryption at rest, message ids and Standard Webhooks v1 signatures.

A secret is ``whsec_`` + base64 of 32 random bytes; the signing key is the decoded bytes. It must be kept
recoverably (deliveries are signed with it), so it is stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from ``cryptography``) under a key derived by HKDF from ``SECRET_KEY``; the ``SECRET_KEY_FALLBACKS`` keys still
decrypt, so a key rotation keeps webhooks working (``services`` re-encrypts under the current key on use).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MESSAGE_ID_PREFIX = "msg_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MESSAGE_ID_RANDOM_LENGTH = 27  # 27 * log2(62) ≈ 160 bits
_HKDF_SALT = b"polycms.webhooks.secret.v1"


class UndecryptableSecret(Exception):
    """No current or fallback secret key decrypts the stored secret (SECRET_KEY changed without a fallback)."""


def generate_secret() -> str:
    """A new signing secret, ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signing_key(secret: str) -> bytes:
    """The HMAC key of ``secret``: its base64 part, decoded (Standard Webhooks)."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def generate_message_id() -> str:
    """A ``webhook-id``: ``msg_`` + 27 random base62 characters, unique per message."""
    return MESSAGE_ID_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(MESSAGE_ID_RANDOM_LENGTH))


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` + base64 of HMAC-SHA256 over ``{message_id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def signature_header(keys: list[bytes], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one signature per key, space-separated (the current secret first, then
    the previous one while a rotation overlaps)."""
    return " ".join(signature(key, message_id, timestamp, body) for key in keys)


@functools.lru_cache(maxsize=16)
def _fernet(secret_key: str) -> Fernet:
    # A dedicated key per use, derived from SECRET_KEY: the ciphertexts are useless without it, and it is never
    # the key that signs sessions or digests tokens.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=b"fernet").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    """``secret`` encrypted under the key derived from the current ``SECRET_KEY``."""
    return _fernet(settings.SECRET_KEY).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt(ciphertext: str) -> tuple[str, bool]:
    """``(secret, current)``: the plaintext, and whether it was encrypted under the current key (False: under a
    fallback key, so it should be re-encrypted). Raises ``UndecryptableSecret``."""
    for index, key in enumerate([settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]):
        try:
            return _fernet(key).decrypt(ciphertext.encode("ascii")).decode("ascii"), index == 0
        except InvalidToken:
            continue
    raise UndecryptableSecret("No secret key decrypts this webhook secret.")
