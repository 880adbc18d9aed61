"""The receipt of a field action: the four values every field record carries.

Every domain service that stores a field record takes one `Receipt`: the client UUID (the phone's
Idempotency-Key for the action), the device time (the phone's clock when the action was made), the
server's receive time and the clock skew measured when the request was sent. An outbox route builds it
from the action being handled (`wuye_field.sync.idempotency.current_receipt()`); a desktop action made
online uses `Receipt.server(now)`; tests build it directly.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from wuye_field.core.time import as_utc


@dataclass(frozen=True)
class ClockSkew:
    """The device clock minus the server clock when the request was sent; None when unknown."""

    seconds: float | None
    flagged: bool

    @classmethod
    def unknown(cls) -> ClockSkew:
        return cls(None, False)


@dataclass(frozen=True)
class Receipt:
    """Who-knows-when of a field action; times are normalised to UTC (stored as UTC on every database)."""

    client_uuid: str
    device_time: datetime
    received_at: datetime
    skew: ClockSkew = field(default_factory=ClockSkew.unknown)

    def __post_init__(self) -> None:
        object.__setattr__(self, "device_time", as_utc(self.device_time))
        object.__setattr__(self, "received_at", as_utc(self.received_at))

    @classmethod
    def of(cls, action) -> Receipt:
        """From a `FieldAction` (anything with key, device_time, received_at and skew)."""
        return cls(action.key, action.device_time, action.received_at, action.skew)

    @classmethod
    def server(cls, now: datetime, client_uuid: str | None = None) -> Receipt:
        """An action made online on a desktop: a fresh UUID unless given, device time = server time."""
        return cls(client_uuid or str(uuid.uuid4()), now, now, ClockSkew.unknown())

    @property
    def skew_seconds(self) -> float | None:
        return self.skew.seconds

    @property
    def skew_flagged(self) -> bool:
        return self.skew.flagged

    def columns(self) -> dict:
        """The FieldRecord columns this receipt fills (user_id and site_id are the service's to set)."""
        return {"client_uuid": self.client_uuid, "device_time": self.device_time, "received_at": self.received_at,
                "clock_skew_seconds": self.skew.seconds, "skew_flagged": self.skew.flagged}
