"""Helpers for the people / investigations / intelligence client tests."""

from __future__ import annotations

import uuid

from tests.desktop.harness import signed_in_client


def people_window(qtbot, make_window, url: str, username: str):
    """A signed-in window whose issue-4 panels have loaded once."""
    window = make_window(url, username=username)
    actions, intel = window.areas["investigations"].actions_panel, window.areas["intelligence"].intel_panel
    # Loaded: not "…: not loaded yet." (the panels' reads wait until the board's first read is back) nor
    # "Loading actions…", which mention actions and reports too (a check on the word alone passed before the load).
    def loaded(heading, word: str) -> bool:
        text = heading.text()
        return word in text and not text.startswith("Loading") and "not loaded yet" not in text

    qtbot.waitUntil(lambda: loaded(actions.heading, "action"), timeout=10_000)
    qtbot.waitUntil(lambda: loaded(intel.heading, "report"), timeout=10_000)
    return window


def make_person(url: str, surname: str, forenames: str, dob: str | None = None, **extra) -> dict:
    client = signed_in_client(url, "supervisor")
    try:
        body = {"id": str(uuid.uuid4()), "surname": surname, "forenames": forenames, **extra}
        if dob:
            body["date_of_birth"] = dob
        return client.request("POST", "/people", json=body, headers={"Idempotency-Key": body["id"]})
    finally:
        client.close()


def api(url: str, username: str = "supervisor"):
    return signed_in_client(url, username)
