"""Item models of the administration area: users, audit entries."""
