"""Idempotency records: the stored response of every field action, keyed by (user, client UUID)."""
