"""The reports blueprint. Its view modules import `bp` from here; `reports.views` imports them all."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
