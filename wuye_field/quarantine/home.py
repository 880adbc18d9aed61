"""Quarantine's card on the supervisor's home page."""
from __future__ import annotations

from wuye_field.core.registry import Section
from wuye_field.quarantine import services


def quarantine_section(user) -> Section | None:
    """Supervisors and admins: sites with actions waiting in quarantine (none → no card)."""
    if not user.has_role(*services.OVERSEERS):
        return None
    rows = services.pending_by_site(user)
    return Section("quarantine/_home.html", {"rows": rows}, order=3) if rows else None
