"""patrol routes."""
from flask import Blueprint

bp = Blueprint("patrol", __name__, url_prefix="/patrol")
