"""Backups that restore (R36 in docs/standards.md): a consistent copy of the database, the chain digests and the
data folder (photos) taken while the app runs, and its restore into an empty instance."""
