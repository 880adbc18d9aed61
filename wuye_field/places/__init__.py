"""Places: sites, buildings, checkpoints and cleaning areas, and their QR tags (the ground floor)."""
from wuye_field.places import models  # noqa: F401
