"""Fonts embedded in printed documents (DejaVu Sans; see LICENSE-DejaVu.md)."""
