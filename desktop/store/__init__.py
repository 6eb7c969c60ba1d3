"""Local SQLite store (outbox and cache). No QtWidgets here."""
