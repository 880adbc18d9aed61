"""defects routes."""
from flask import Blueprint

bp = Blueprint("defects", __name__, url_prefix="/defects")
