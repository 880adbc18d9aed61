"""Shift handover (交接班, H1–H5, P8–P9): posts, handovers, acceptances, corrections."""
from wuye_field.handover import models  # noqa: F401  (Alembic sees the tables)
