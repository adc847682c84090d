"""Pydantic models of every document kind. No I/O here."""
