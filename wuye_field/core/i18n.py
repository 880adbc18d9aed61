"""Flask-Babel set-up: Simplified Chinese first, English on request (a `lang` cookie)."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

from wuye_field.extensions import babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The user's chosen language from the `lang` cookie, else zh_CN (field staff read Chinese)."""
    chosen = request.cookies.get(LANG_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
