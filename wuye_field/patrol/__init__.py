"""patrol domain."""
