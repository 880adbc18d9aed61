"""The defects blueprint. Its view modules import `bp` from here; `defects.views` imports them all."""
from flask import Blueprint

bp = Blueprint("defects", __name__)
