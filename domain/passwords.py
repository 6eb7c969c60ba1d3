"""The password policy's length rule, shared so the client's hint and quick check say what the server enforces
(server.auth.passwords.password_problem is the whole policy: this length, and not a common password)."""

MIN_LENGTH = 12
TOO_SHORT = f"A password needs at least {MIN_LENGTH} characters (a few words together are easy to remember)."
HINT = f"At least {MIN_LENGTH} characters, not a common password or your user name."

# Argon2id cost for the server's password hashes and the client's offline verifier: OWASP's Password Storage Cheat
# Sheet's first configuration (m=19 MiB, t=2, p=1). argon2-cffi's default (m=64 MiB, t=3, p=4) took ~0.9 s per
# sign-in on the 2-core machine at load 8 (0.19 s with these), its four lanes competing with the client's start-up
# for two cores (issue 17). Hashes made with other parameters keep them: they still verify.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1
