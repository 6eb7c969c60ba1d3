"""Custody records and the detainee log."""
