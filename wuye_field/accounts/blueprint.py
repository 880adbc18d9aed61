"""The accounts blueprint, and the audit pages' blueprint (they need accounts' roles; see audit_routes).
Their view modules import them from here; `accounts.views` imports those modules."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
audit_bp = Blueprint("audit", __name__, url_prefix="/audit")
