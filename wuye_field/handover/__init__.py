"""Shift handover (交接班, STANDARDS H1–H5, P8–P9): posts, handovers, acceptances, corrections."""
from wuye_field.handover import models  # noqa: F401  (Alembic sees the tables)
from wuye_field.handover import home  # noqa: F401  (home card and offline pages)
