"""The cleaning blueprint. Its view modules import `bp` from here; `cleaning.views` imports them all."""
from flask import Blueprint

bp = Blueprint("cleaning", __name__, url_prefix="/cleaning")
