"""The force view area (issue 15): every suite at once, and the review queue."""
