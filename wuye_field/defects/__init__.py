"""defects domain."""
