"""Admin pages for users (管理处)."""
from flask_login import login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.accounts.routes import bp


@bp.get("/admin/users")
@login_required
@role_required("admin")
def admin_users():
    return "TODO"
