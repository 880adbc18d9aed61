"""Alerts: the one way any part of the product tells a person something cannot wait (issue 16)."""
