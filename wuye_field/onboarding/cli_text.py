"""The import preview and result as text, for `wuye import`."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.core.errors import NotFound
from wuye_field.extensions import db
from wuye_field.onboarding.importing import ImportResult
from wuye_field.onboarding.preview import Preview
from wuye_field.places.models import Site


def site_admin(site: Site, staff_no: str | None) -> User:
    """The admin of `site` the import acts as: `staff_no`, or the site's first active admin."""
    query = (select(User).join(Membership).where(Membership.site_id == site.id, Membership.role == "admin",
                                                  User.active.is_(True)).order_by(User.id))
    if staff_no:
        query = query.where(User.staff_no == staff_no)
    user = db.session.scalars(query).first()
    if user is None:
        raise NotFound(_("小区 %(code)s 没有这位管理处人员。", code=site.code))
    return user


def preview_text(preview: Preview) -> str:
    lines = []
    for sheet in preview.sheets:
        lines.append(_("%(sheet)s：新建 %(c)d，更新 %(u)d，不变 %(n)d，有错误 %(e)d",
                       sheet=sheet.spec.title, c=sheet.count("create"), u=sheet.count("update"),
                       n=sheet.count("unchanged"), e=sheet.count("error") + len(sheet.errors)))
        if sheet.absent:
            lines.append("  " + _("文件中没有、系统中已有（不会删除）：") + "、".join(sheet.absent))
    lines.extend(str(error) for error in preview.errors)
    return "\n".join(lines)


def result_text(result: ImportResult) -> str:
    lines = [_("新建 %(c)d，更新 %(u)d，跳过有错误的行 %(s)d。", c=result.created, u=result.updated, s=result.skipped)]
    if result.accounts:
        lines.append(_("新账号的一次性密码（只显示这一次，首次登录须修改）："))
        lines.extend(f"{a.staff_no}\t{a.name}\t{a.password}" for a in result.accounts)
    return "\n".join(lines)
