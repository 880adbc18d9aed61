"""The survey blueprint: the public questionnaire at /s/<token> and the staff pages under /survey."""
from flask import Blueprint

bp = Blueprint("survey", __name__)
