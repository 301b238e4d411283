"""Organisations, users and their roles."""
