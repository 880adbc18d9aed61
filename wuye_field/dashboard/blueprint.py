"""The dashboard blueprint. Its view modules import `bp` from here; `dashboard.views` imports them all."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)
