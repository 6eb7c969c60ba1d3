"""People (POLE nominals). The foundation holds only what a custody record needs."""
