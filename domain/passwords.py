"""The password policy's length rule, shared so the client's hint and quick check say what the server enforces
(server.auth.passwords.password_problem is the whole policy: this length, and not a common password)."""

MIN_LENGTH = 12
TOO_SHORT = f"A password needs at least {MIN_LENGTH} characters (a few words together are easy to remember)."
HINT = f"At least {MIN_LENGTH} characters, not a common password or your user name."
