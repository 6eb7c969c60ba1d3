"""Root test configuration. Area fixtures live in each sub-directory's conftest.py."""

import os

# Tests never touch the real user data folder's database.
os.environ.pop("BRIDEWELL_DATABASE_URL", None)
