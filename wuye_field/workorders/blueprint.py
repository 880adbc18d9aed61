"""The workorders blueprint. Its view modules import `bp` from here; `workorders.views` imports them all."""
from flask import Blueprint

bp = Blueprint("workorders", __name__, url_prefix="/workorders")
