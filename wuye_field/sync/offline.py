"""Domains name the pages a user needs offline (their providers in the core registry,
`registry.OFFLINE_PAGES`, added by each domain's `views.register(app)`), and the app shell names the static
files each user's role needs (`registry.OFFLINE_ASSETS`, from pwa); /sync/manifest lists both."""
from __future__ import annotations

from wuye_field.core import registry


def _collect(kind: str, user) -> list[str]:
    urls: list[str] = []
    for provider in registry.providers(kind):
        urls += [url for url in provider(user) if url not in urls]
    return urls


def offline_pages(user) -> list[str]:
    """Every registered page for `user`, de-duplicated, in registration order."""
    return _collect(registry.OFFLINE_PAGES, user)


def offline_assets(user) -> list[str]:
    """Every registered static file `user` needs offline beyond the shell, de-duplicated."""
    return _collect(registry.OFFLINE_ASSETS, user)
