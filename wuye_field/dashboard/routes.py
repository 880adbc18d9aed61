"""Home page made for the user's role."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from wuye_field.dashboard.blueprint import bp
from wuye_field.dashboard.home import home_for



@bp.get("/")
@login_required
def index():
    """The role's home: what to do now, with big touch targets."""
    return render_template("dashboard/home.html", home=home_for(current_user))
