"""Token format and digests.

A token is ``pcms_`` + 40 random base62 characters + a 6-character base62 CRC32 of the random part:
secret scanners recognise the prefix, and a typo or a truncated paste is rejected by the checksum
before any database query. Only an HMAC-SHA256 digest, keyed from ``SECRET_KEY``, is stored.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import zlib

from django.conf import settings

PREFIX = "pcms_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 40  # 40 * log2(62) ≈ 238 bits of entropy
CHECKSUM_LENGTH = 6  # 62**6 > 2**32, so any CRC32 fits
TOKEN_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
HINT_LENGTH = 4
_ALPHABET_SET = frozenset(ALPHABET)
_DIGEST_SALT = b"polycms.tokens.digest.v1"


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        chars.append(ALPHABET[remainder])
    return "".join(reversed(chars))


def checksum(random_part: str) -> str:
    """The 6-character base62 CRC32 of ``random_part``."""
    return _base62(zlib.crc32(random_part.encode("ascii")), CHECKSUM_LENGTH)


def generate_token() -> str:
    """A new plaintext token. Randomness from ``secrets``."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{PREFIX}{random_part}{checksum(random_part)}"


def is_well_formed(token: str) -> bool:
    """Prefix, length, alphabet and checksum; no I/O. Constant-time on the checksum comparison."""
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return False
    body = token[len(PREFIX) :]
    if not _ALPHABET_SET.issuperset(body):
        return False
    random_part, given = body[:RANDOM_LENGTH], body[RANDOM_LENGTH:]
    return hmac.compare_digest(checksum(random_part), given)


@functools.lru_cache(maxsize=16)
def _digest_key(secret_key: str) -> bytes:
    # A dedicated key derived from SECRET_KEY, so the digest is useless without it and is never the
    # same key that signs sessions.
    return hashlib.sha256(_DIGEST_SALT + secret_key.encode()).digest()


def digest(token: str, secret_key: str | None = None) -> str:
    """HMAC-SHA256 (hex) of ``token`` under the key derived from ``secret_key`` (default SECRET_KEY)."""
    key = _digest_key(secret_key if secret_key is not None else settings.SECRET_KEY)
    return hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()


def candidate_digests(token: str) -> list[str]:
    """Digests under SECRET_KEY and then each of SECRET_KEY_FALLBACKS, for one ``IN`` lookup that keeps
    tokens working across a key rotation."""
    return [digest(token, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def hint(token: str) -> str:
    """The last characters of the token, enough to tell tokens apart, useless to an attacker."""
    return token[-HINT_LENGTH:]
