"""Survey views: the public questionnaire (public_routes), the staff pages (staff_routes), the home card, and
the month close's copy of the survey CSV (MONTH_EXPORTS) served back through FROZEN_EXPORTS by reports."""
from flask import Flask

from wuye_field.core import registry
from wuye_field.survey import home, public_routes, results, staff_routes  # noqa: F401  (views on the blueprint)
from wuye_field.survey.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.survey_section)
    registry.add(app, registry.OFFLINE_PAGES, home.entry_pages)
    registry.add(app, registry.MONTH_EXPORTS, results.month_files)
