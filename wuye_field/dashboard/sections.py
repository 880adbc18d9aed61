"""Domains add sections to a user's home page (what is due now) without the dashboard importing them:
each registers its providers in the core registry (`registry.HOME_SECTIONS`) from its `views.register(app)`."""
from __future__ import annotations

from wuye_field.core import registry
from wuye_field.core.registry import Section


def sections_for(user) -> list[Section]:
    """Every section the registered providers offer this user, in order."""
    offered = (section for provider in registry.providers(registry.HOME_SECTIONS)
               if (section := provider(user)) is not None)
    return sorted(offered, key=lambda s: s.order)
