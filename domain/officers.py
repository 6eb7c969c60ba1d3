"""How an officer is named in text: rank once, never "Sergeant Sgt Alys Penhallow".

Display names often already carry the rank's short form ("Sgt Alys Penhallow", "DC Rafe Illingsworth"), so the
rank is put in front only when the name does not start with it or one of its usual abbreviations.
"""

RANK_FORMS: dict[str, tuple[str, ...]] = {
    "constable": ("PC", "Con"),
    "police constable": ("PC",),
    "detective constable": ("DC",),
    "sergeant": ("Sgt", "PS", "Sergeant"),
    "police sergeant": ("PS", "Sgt"),
    "detective sergeant": ("DS",),
    "inspector": ("Insp", "Inspector"),
    "detective inspector": ("DI",),
    "chief inspector": ("CI", "Ch Insp"),
    "superintendent": ("Supt", "Superintendent"),
    "detective superintendent": ("Det Supt",),
    "chief superintendent": ("Ch Supt",),
}


def names_rank(name: str, rank: str) -> bool:
    """Whether ``name`` already starts with ``rank`` or a usual short form of it."""
    words = name.replace(".", "").split()
    if not rank.strip() or not words:
        return False
    forms = (rank, *RANK_FORMS.get(rank.strip().lower(), ()))
    for form in forms:
        parts = form.replace(".", "").split()
        if [w.lower() for w in words[:len(parts)]] == [p.lower() for p in parts] and len(words) > len(parts):
            return True
    return False


def titled(rank: str, name: str) -> str:
    """'Sergeant Alys Penhallow' for ("Sergeant", "Alys Penhallow"); the name alone when it carries the rank."""
    if not rank.strip() or names_rank(name, rank):
        return name
    return f"{rank} {name}"
