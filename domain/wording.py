"""Small rules of wording shared by the server's log text and the printouts."""


def sentence(text: object) -> str:
    """``text`` ending in exactly one full stop: "left the premises." stays as it is, never "premises.."."""
    words = str(text).strip()
    return words if not words or words.endswith((".", "!", "?", "…")) else words + "."
