"""The sync blueprint. Its view modules import `bp` from here; `sync.views` imports them all."""
from flask import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/sync")
