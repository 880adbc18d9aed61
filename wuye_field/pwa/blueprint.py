"""The pwa blueprint. Its view modules import `bp` from here; `pwa.views` imports them all."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)
