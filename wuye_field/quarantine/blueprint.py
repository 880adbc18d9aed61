"""The quarantine blueprint. Its view module imports `bp` from here; `quarantine.views` imports it."""
from flask import Blueprint

bp = Blueprint("quarantine", __name__, url_prefix="/quarantine")
