"""Fixtures of the workflow journey tests: a SQLite template that migrates cleanly."""

from __future__ import annotations
