"""Limits on every request body, applied before the body is read (R25 in docs/standards.md).

- Each view may carry its own byte limit (`@body_limit("CONFIG_KEY")`); field actions get
  `FIELD_ACTION_MAX_BYTES` from `@idempotent_action` unless they name another (the photo upload names
  `MAX_CONTENT_LENGTH`). The limit lowers `request.max_content_length` for that request, so werkzeug
  refuses a larger Content-Length with 413 before reading a byte, and cuts a chunked body off at it.
- Form-encoded bodies are bounded like multipart ones: in all at most `MAX_FORM_MEMORY_SIZE` bytes (the
  cap multipart puts on each text field) and at most `MAX_FORM_PARTS` fields — werkzeug applies both to
  multipart only.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

FORM_URLENCODED = "application/x-www-form-urlencoded"


def body_limit(config_key: str):
    """Give a view its own body limit: the number of bytes in `config_key` (a config key, so a deployment
    or a test can change it). Put it under the route and auth decorators."""

    def mark(view):
        view.body_limit_key = config_key
        return view

    return mark


class BoundedFormDataParser(FormDataParser):
    """Werkzeug's parser, with form-encoded bodies held to the multipart limits."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge()
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestEntityTooLarge()
        text = data.decode()
        if self.max_form_parts is not None and text.count("&") + 1 > self.max_form_parts:
            raise RequestEntityTooLarge()
        items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()


class BoundedRequest(Request):
    """Flask's request with the view's own body limit and bounded form-encoded parsing."""

    form_data_parser_class = BoundedFormDataParser

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        own = view_body_limit(self.endpoint)
        if own is not None:
            limit = own if limit is None else min(limit, own)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def view_body_limit(endpoint: str | None) -> int | None:
    """The byte limit the view of `endpoint` declared (None when it declared none)."""
    if not current_app or endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    key = getattr(view, "body_limit_key", None)
    return current_app.config[key] if key else None


def too_large_message() -> str:
    """The Chinese 413 message: about text for a field action or form, about the photo otherwise."""
    own = view_body_limit(request.endpoint)
    if request.mimetype == FORM_URLENCODED or (own is not None and own < current_app.config["MAX_CONTENT_LENGTH"]):
        return _("提交的内容太大（文字太长或项目太多），请缩短后重试。")
    return _("上传的内容太大（照片请小于 15 MB）。")


def init_request_limits(app: Flask) -> None:
    app.request_class = BoundedRequest
