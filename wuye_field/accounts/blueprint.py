"""The accounts blueprint. Its view modules import `bp` from here; `accounts.views` imports them all."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
