"""VAPID keys for Web Push: made once by `flask wuye vapid-keys` and kept in the configuration
(VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAPID_SUBJECT in the environment / .env)."""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid01, b64urlencode


def generate() -> tuple[str, str]:
    """(private key, public key), both base64url: the raw 32-byte secret, the uncompressed P-256 point the
    browser's pushManager.subscribe takes as applicationServerKey."""
    vapid = Vapid01()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(private), b64urlencode(public)
