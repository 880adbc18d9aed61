"""The places blueprint. Its view modules import `bp` from here; `places.views` imports them all."""
from flask import Blueprint

bp = Blueprint("places", __name__)
