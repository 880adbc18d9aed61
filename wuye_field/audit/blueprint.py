"""The audit blueprint. Its view modules import `bp` from here; `audit.views` imports them all."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
