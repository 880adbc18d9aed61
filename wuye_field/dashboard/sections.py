"""Domains add sections to a user's home page (what is due now) without the dashboard importing them:
each registers its providers in the core registry (`registry.HOME_SECTIONS`) from its `views.register(app)`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wuye_field.core import registry


@dataclass(frozen=True)
class Section:
    """A card on the home page: `template` rendered with `section.context`; lower `order` comes first."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def sections_for(user) -> list[Section]:
    """Every section the registered providers offer this user, in order."""
    offered = (section for provider in registry.providers(registry.HOME_SECTIONS)
               if (section := provider(user)) is not None)
    return sorted(offered, key=lambda s: s.order)
