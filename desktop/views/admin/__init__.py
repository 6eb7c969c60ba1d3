"""The administration area: user administration, the audit viewer and subject access (issue 12)."""
