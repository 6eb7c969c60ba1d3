"""Models of the force view (issue 15)."""
