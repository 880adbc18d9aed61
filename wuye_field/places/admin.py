"""Admin pages for sites, buildings and places (管理处)."""
from flask_login import login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.places.routes import bp


@bp.get("/admin/sites")
@login_required
@role_required("admin")
def admin_sites():
    return "TODO"
