"""Work orders: raised by the desk, from a defect or by a supervisor; dispatched, worked and return-visited (STANDARDS W1–W8)."""
from wuye_field.workorders import models  # noqa: E402,F401  (Alembic and create_all see the tables)
