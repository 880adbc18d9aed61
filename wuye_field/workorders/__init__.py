"""Work orders: raised by the desk, a defect or a supervisor; dispatched, worked, return-visited (W1–W8)."""
from wuye_field.workorders import models  # noqa: F401  (Alembic and create_all see the tables)
