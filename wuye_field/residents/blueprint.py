"""The residents blueprint: the public window at /b/<token> and the staff pages under /residents."""
from flask import Blueprint

bp = Blueprint("residents", __name__)
