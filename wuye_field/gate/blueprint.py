"""The gate blueprint. Its view modules import `bp` from here; `gate.views` imports them all."""
from flask import Blueprint

bp = Blueprint("gate", __name__, url_prefix="/gate")
