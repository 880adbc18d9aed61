"""The checks blueprint. Its view modules import `bp` from here; `checks.views` imports them all."""
from flask import Blueprint

bp = Blueprint("checks", __name__)
