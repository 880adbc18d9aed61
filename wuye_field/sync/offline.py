"""Domains name the pages a user needs offline; /sync/manifest lists them for the service worker."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

PageProvider = Callable[[Any], Iterable[str]]
_providers: list[PageProvider] = []


def register_offline_pages(provider: PageProvider) -> PageProvider:
    """Decorator: `provider(user)` yields URLs (url_for) of pages this user should have offline."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def offline_pages(user) -> list[str]:
    """Every registered page for `user`, de-duplicated, in registration order."""
    pages: list[str] = []
    for provider in _providers:
        pages += [url for url in provider(user) if url not in pages]
    return pages
