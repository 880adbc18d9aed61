"""Other domains add sections to a place's page (what is due there) without places importing them: each
registers its providers in the core registry (`registry.PLACE_PANELS`) from its `views.register(app)`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wuye_field.core import registry


@dataclass(frozen=True)
class Panel:
    """A section of the place page: `template` rendered with `context`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def panels_for(place, user) -> list[Panel]:
    """Every panel the registered providers offer for this place and user, in order."""
    panels = [panel for provider in registry.providers(registry.PLACE_PANELS)
              if (panel := provider(place, user)) is not None]
    return sorted(panels, key=lambda p: p.order)
