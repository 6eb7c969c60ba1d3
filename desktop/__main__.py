"""`python -m desktop` starts the Bridewell client."""

import sys

from desktop.app import main

sys.exit(main())
