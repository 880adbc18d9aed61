"""The assessment blueprint. Its view modules import `bp` from here; `assessment.views` imports them all."""
from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
