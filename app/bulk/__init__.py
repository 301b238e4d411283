"""Bulk import and export of the library (JSON Lines, JSON, CSV)."""
