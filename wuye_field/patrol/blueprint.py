"""The patrol blueprint. Its view modules import `bp` from here; `patrol.views` imports them all."""
from flask import Blueprint

bp = Blueprint("patrol", __name__, url_prefix="/patrol")
