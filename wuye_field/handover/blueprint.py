"""The handover blueprint. Its view modules import `bp` from here; `handover.views` imports them all."""
from flask import Blueprint

bp = Blueprint("handover", __name__, url_prefix="/handover")
