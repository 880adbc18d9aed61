"""The import pages (管理处): template, upload → preview → confirm → result with one-time passwords."""
from __future__ import annotations

import io

from flask import current_app, render_template, request, send_file
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.onboarding import held, service
from wuye_field.onboarding.blueprint import bp
from wuye_field.onboarding.reading import MAX_FILE_BYTES, FileRefused
from wuye_field.onboarding.template import template_bytes
from wuye_field.places.services import get_site

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/template.xlsx")
@login_required
@role_required("admin")
def template():
    """The template with Chinese headers, an example row per sheet and drop-down lists."""
    return send_file(io.BytesIO(template_bytes()), mimetype=XLSX, as_attachment=True, download_name="导入模板.xlsx")


@bp.get("/sites/<int:site_id>")
@login_required
@role_required("admin")
def upload_page(site_id: int):
    return render_template("onboarding/upload.html", site=get_site(current_user, site_id, "admin"))


def _uploaded() -> list[tuple[str, bytes]]:
    files = []
    for sent in request.files.getlist("files"):
        if sent and sent.filename:
            data = sent.stream.read(MAX_FILE_BYTES + 1)  # never more than the limit, whatever was sent
            files.append((sent.filename, data))
    return files


@bp.post("/sites/<int:site_id>/preview")
@login_required
@role_required("admin")
def preview(site_id: int):
    """Read the files and show what each row would do; nothing is stored."""
    site = get_site(current_user, site_id, "admin")
    files = _uploaded()
    try:
        result = service.preview_files(current_user, site, files)
    except FileRefused as exc:
        return render_template("onboarding/upload.html", site=site, error=exc.message), 422
    token = held.hold(current_app.config["WUYE_DATA_DIR"], current_user.id, files)
    return render_template("onboarding/preview.html", site=site, preview=result, token=token)


@bp.post("/sites/<int:site_id>/confirm")
@login_required
@role_required("admin")
def confirm(site_id: int):
    """Store the rows (all, or only the valid ones) and show the one-time passwords once."""
    site = get_site(current_user, site_id, "admin")
    token, data_dir = request.form.get("token", ""), current_app.config["WUYE_DATA_DIR"]
    files = held.held(data_dir, current_user.id, token)
    try:
        checked, result = service.import_files(current_user, site, files,
                                               only_valid=request.form.get("mode") == "valid", now=utcnow(),
                                               hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    except DomainError as exc:
        db.session.rollback()
        checked = service.preview_files(current_user, site, files)
        return render_template("onboarding/preview.html", site=site, preview=checked, token=token,
                               error=exc.message), 422
    db.session.commit()
    held.release(data_dir, current_user.id, token)
    return render_template("onboarding/done.html", site=site, preview=checked, result=result)
