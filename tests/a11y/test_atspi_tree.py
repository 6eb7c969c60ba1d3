"""The main window as a screen reader sees it from another process (AT-SPI, under Xvfb)."""

import pytest

from tests.a11y.atspi.harness import poll

pytestmark = pytest.mark.slow

DOCKS = {
    "detaineeLogDock": "Detainee log",
    "riskAssessmentDock": "Risk assessment",
    "investigationActionsDock": "Investigation actions",
    "intelligenceGradingDock": "Intelligence grading",
}


def nodes(tree, parent=None):
    tree["parent_role"], tree["parent_name"] = (parent["role"], parent["name"]) if parent else ("", "")
    yield tree
    for child in tree.get("children", []):
        yield from nodes(child, tree)


def spoken_in_context(node):
    """A combo box's drop-down list is announced with the combo box's name (and each item is named), so an
    unnamed list directly inside a named combo box is not silent."""
    return node["role"] == "list" and node["parent_role"] == "combo box" and node["parent_name"].strip()


@pytest.fixture(scope="module")
def tree(signed_in):
    # the board is filled from the server on a worker: wait for rows before taking the snapshot
    poll(lambda: signed_in.table(max_rows=1, id="custodyBoard", role="table")["n_rows"], timeout=30,
         what="custody records on the board")
    return signed_in.tree()


def where(node):
    return f"{node['role']} id={node['id']!r} path={node['path']}"


def test_every_focusable_node_has_a_name_and_a_role(tree):
    focusable = [n for n in nodes(tree) if "focusable" in n["states"]]
    assert len(focusable) > 10, "the tree walk found almost nothing focusable"
    unnamed = [where(n) for n in focusable if not n["name"].strip() and not spoken_in_context(n)]
    no_role = [where(n) for n in focusable if n["role"] in ("", "unknown", "invalid")]
    assert not unnamed, "focusable controls a screen reader cannot name:\n" + "\n".join(unnamed)
    assert not no_role, "focusable controls with no role:\n" + "\n".join(no_role)


@pytest.mark.parametrize("object_name,title", DOCKS.items())
def test_docks_are_panels_named_by_their_titles(tree, object_name, title):
    found = [n for n in nodes(tree) if n["id"].endswith("." + object_name)]
    assert len(found) == 1, f"{object_name}: {[where(n) for n in found]}"
    dock = found[0]
    assert dock["role"] == "panel", where(dock)
    assert dock["name"] == title


def test_custody_board_is_a_table_with_headers_and_named_cells(signed_in):
    board = signed_in.driver("table", id="custodyBoard", role="table")
    node, table = board["node"], board["table"]
    assert node["name"] == "Custody board"
    assert table["n_columns"] >= 3
    assert all(h.strip() for h in table["headers"]), table["headers"]
    assert "Name" in table["headers"]
    assert table["n_rows"] >= 1, "the demo suite's open custody records did not reach the board"
    empty = [(r, c) for r, row in enumerate(table["rows"]) for c, cell in enumerate(row) if not cell["name"].strip()]
    assert not empty, f"cells with no spoken text (row, column): {empty}"


def test_the_window_frame_is_named(tree):
    frames = [n for n in nodes(tree) if n["role"] == "frame" and "showing" in n["states"]]
    assert frames and all(f["name"].startswith("Bridewell") for f in frames), [where(f) for f in frames]


def test_every_table_is_named_and_has_column_headers(tree):
    tables = [n for n in nodes(tree) if n.get("table") is not None]
    assert len(tables) >= 2, [where(t) for t in tables]  # the custody board and the detainee log at least
    for t in tables:
        assert t["name"].strip(), f"unnamed table: {where(t)}"
        assert t["table"]["n_columns"] and all(h.strip() for h in t["table"]["headers"]), where(t)


def test_controls_in_docks_behind_tabs_are_not_showing(tree):
    """Issue 13: Qt keeps a dock behind another's tab visible at negative coordinates, so its controls were
    exposed as showing. Only the dock whose tab is in front may show its controls."""
    tabbed = ["riskAssessmentDock", "investigationActionsDock", "intelligenceGradingDock", "personDock"]
    showing_controls = {}
    for name in tabbed:
        dock = next((n for n in nodes(tree) if n["id"].endswith("." + name)), None)
        if dock is None:
            continue
        # (a combo box's drop-down list is its own pop-up window, listed under the combo box: not counted)
        inside = [n for n in nodes(dock) if n is not dock and "focusable" in n["states"]
                  and "showing" in n["states"] and "QComboBox" not in n["id"]]
        showing_controls[name] = len(inside)
    in_front = [name for name, count in showing_controls.items() if count]
    assert len(showing_controls) >= 3, showing_controls
    assert len(in_front) == 1, f"controls showing in more than the front tab's dock: {showing_controls}"
