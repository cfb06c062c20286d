"""Integration tests: the real service layer on SQLite and PostgreSQL."""
