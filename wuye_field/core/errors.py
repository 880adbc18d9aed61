"""Domain errors and the error handlers that turn every failure into a Chinese page or JSON, never a bare 500."""
from __future__ import annotations

import logging

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from wuye_field.core.database import rollback_request
from wuye_field.core.logging import security_event, user_text
from wuye_field.core.request_limits import too_large_message

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule refused an action; `message` is shown to the user, `status` is the HTTP status."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 scope_site_id: int | None = None):
        super().__init__(message)
        self.message = message
        # The site whose role the user lacks, when that is why the action was refused (a field action
        # refused so is kept in quarantine when the user held a role there: sync.quarantine).
        self.scope_site_id = scope_site_id
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class FieldErrors(DomainError):
    """Form input refused: `errors` maps each field name to its Chinese message (the form re-renders)."""

    status = 200
    code = "invalid_fields"

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class NotFound(DomainError):
    """The object does not exist or is outside the user's sites (never tell which).

    `site_id`: the site the object is on when it exists outside the user's reach (see `other_site`); it
    is never shown, only logged as the security event `not_found_other_site`.
    """

    status = 404
    code = "not_found"

    def __init__(self, message: str, *, site_id: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.site_id = site_id


def other_site(obj: object | None, allowed_site_ids: set[int] | frozenset[int]) -> int | None:
    """`obj.site_id` when `obj` exists on a site outside `allowed_site_ids`, else None: the `site_id` of a
    NotFound raised for an object of another site."""
    site_id = getattr(obj, "site_id", None)
    if site_id is None or site_id in allowed_site_ids:
        return None
    if has_request_context():  # which object it was: a field action for a moved object is kept (sync.quarantine)
        g.wuye_other_site_object = (getattr(obj, "__tablename__", ""), getattr(obj, "id", None))
    return site_id


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def wants_json() -> bool:
    """API callers (the outbox, fetch) get JSON; browsers get a page."""
    if request.is_json or request.headers.get("Idempotency-Key"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, code: str):
    """Render a failure as JSON for API callers or as the Chinese error page."""
    if wants_json():
        return jsonify({"error": code, "message": message}), status
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return render_template(template, status=status, message=message), status


_HTTP_MESSAGES = {
    400: lambda: _("请求有误，请返回重试。"),
    401: lambda: _("请先登录。"),
    403: lambda: _("您没有权限执行此操作。"),
    404: lambda: _("页面不存在，或您无权查看。"),
    405: lambda: _("不支持此操作。"),
    415: lambda: _("不支持此文件类型。"),
    429: lambda: _("操作太频繁，请稍后再试。"),
}


def register_error_handlers(app: Flask) -> None:
    """Roll back the session on every error and answer in Chinese."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        rollback_request()
        if isinstance(error, NotFound) and error.site_id is not None:
            security_event("not_found_other_site", object_site_id=error.site_id, method=request.method,
                           path=request.path)
        elif error.status == 403:
            security_event("forbidden", code=error.code, method=request.method, path=request.path)
        return error_response(error.status, error.message, error.code)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        rollback_request()
        security_event("csrf_refused", method=request.method, path=request.path, reason=error.description)
        return error_response(400, _("页面已过期，请刷新后重试。"), "csrf")

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        rollback_request()
        status = error.code or 500
        if status == 403:
            security_event("forbidden", code="role", method=request.method, path=request.path)
        elif status in (413, 415):
            security_event("upload_refused", status=status, method=request.method, path=request.path,
                           content_length=request.content_length)
        message_for = too_large_message if status == 413 else _HTTP_MESSAGES.get(status)
        message = message_for() if message_for else _("请求失败（%(status)s）。", status=status)
        return error_response(status, message, f"http_{status}")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def handle_database_unavailable(error: Exception):
        """The database is down, restarting or overloaded (R31 in docs/standards.md): 503, and the phone
        retries. Nothing here may touch the database again (no user load, no template reading current_user)."""
        try:
            rollback_request()
        except Exception:  # the connection may be gone; the pool replaces it
            log.debug("rollback after a database failure failed too", exc_info=True)
        cause = getattr(error, "orig", None) or error
        log.error("database unavailable on %s %s: %s %s", request.method, user_text(request.path),
                  type(cause).__name__, user_text(cause, limit=200))
        message = _("服务器暂时连不上数据库，记录仍保存在手机上，稍后会自动重试。")
        if wants_json():
            response = jsonify({"error": "unavailable", "message": message})
        else:
            response = app.response_class(render_template("errors/503.html", message=message), mimetype="text/html")
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        rollback_request()
        log.exception("unhandled error on %s %s", request.method, user_text(request.path))
        return error_response(500, _("服务器出错了，您的记录仍保存在手机上，稍后会自动重试。"), "server_error")
