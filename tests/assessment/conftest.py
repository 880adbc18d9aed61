"""The month site of the reports tests (last month with records of every duty), reused here."""
from tests.reports.conftest import month_site  # noqa: F401
