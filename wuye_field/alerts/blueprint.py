"""The alerts blueprint. Its view modules import `bp` from here; `alerts.views` imports them all."""
from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
