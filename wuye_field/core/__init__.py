"""Shared plumbing that knows no domain: htmx rendering, errors, clock, database setup."""
