"""Domains add sections to a user's home page (what is due now) without the dashboard importing them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    """A card on the home page: `template` rendered with `section.context`; lower `order` comes first."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


SectionProvider = Callable[[Any], "Section | None"]
_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """Decorator: `provider(user)` returns a Section or None (e.g. when the user has no such role)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(user) -> list[Section]:
    """Every section the registered providers offer this user, in order."""
    return sorted((s for provider in _providers if (s := provider(user)) is not None), key=lambda s: s.order)
