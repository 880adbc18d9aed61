"""Domains name the pages a user needs offline (their providers in the core registry,
`registry.OFFLINE_PAGES`, added by each domain's `views.register(app)`); /sync/manifest lists them."""
from __future__ import annotations

from wuye_field.core import registry


def offline_pages(user) -> list[str]:
    """Every registered page for `user`, de-duplicated, in registration order."""
    pages: list[str] = []
    for provider in registry.providers(registry.OFFLINE_PAGES):
        pages += [url for url in provider(user) if url not in pages]
    return pages
