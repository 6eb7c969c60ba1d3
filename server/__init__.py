"""Bridewell central API."""

__version__ = "0.1.0"
