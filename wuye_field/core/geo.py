"""Positions a phone gives (latitude, longitude, accuracy in metres) and the distance between two of them."""
from __future__ import annotations

import math
from collections.abc import Mapping

EARTH_RADIUS_M = 6_371_000
NO_POSITION = {"lat": None, "lon": None, "accuracy_m": None}


def parse_position(values: Mapping) -> dict:
    """`lat`, `lon`, `accuracy` from a form when the phone sent sensible numbers; else all None.
    Returned as column values: {"lat", "lon", "accuracy_m"}."""
    try:
        lat, lon = float(values.get("lat")), float(values.get("lon"))
    except (TypeError, ValueError):
        return dict(NO_POSITION)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return dict(NO_POSITION)
    try:
        accuracy = float(values.get("accuracy") or "nan")
    except (TypeError, ValueError):
        accuracy = math.nan
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy if math.isfinite(accuracy) and accuracy >= 0 else None}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
