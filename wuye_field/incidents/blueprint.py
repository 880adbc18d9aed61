"""The incidents blueprint. Its view modules import `bp` from here; `incidents.views` imports them all."""
from flask import Blueprint

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
