"""API keys: `<prefix>.<secret>`; only the SHA-256 of the whole key is stored."""

import hashlib
import secrets


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_generate() -> tuple[str, str, str]:
    """(key, prefix, hash). 256 bits of randomness, so a fast hash is enough (nothing to brute-force)."""
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    return key, prefix, key_hash(key)
