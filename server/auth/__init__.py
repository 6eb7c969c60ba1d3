"""Users, bearer tokens, sign-in, and the current_user / require_roles dependencies."""
