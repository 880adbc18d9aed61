"""Other domains add sections to a place's page (what is due there) without places importing them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A section of the place page: `template` rendered with `context`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[Any, Any], "Panel | None"]
_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    """Decorator: `provider(place, user)` returns a Panel or None. Registered at import time."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(place, user) -> list[Panel]:
    """Every panel the registered providers offer for this place and user, in order."""
    panels = [panel for provider in _providers if (panel := provider(place, user)) is not None]
    return sorted(panels, key=lambda p: p.order)
