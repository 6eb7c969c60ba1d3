"""`python -m desktop` starts the Bridewell client (and, frozen, its own embedded server: see desktop.app.main)."""

import sys

from desktop.app import main

sys.exit(main())
