"""The handover printout (issue 13): every detainee's line of what the next sergeant must know and everything
flagged since the last handover, read back from the PDF. Fictional data."""

from __future__ import annotations

from pathlib import Path

from desktop.printing.handover import build_handover_pdf
from tests.printing import pdf_tools

HANDOVER = {
    "prepared_at": "2026-11-21T19:00:00+00:00", "station": "Northtown Custody Suite",
    "since": "2026-11-21T07:00:00+00:00",
    "last": {"acknowledged_at": "2026-11-21T07:00:00+00:00", "by_label": "Sgt Alys Penhallow (CS2417)",
             "outgoing": "Sgt Kenver Rowe"},
    "detainees": [{
        "record_id": "r1", "custody_number": "BW-2026-000007", "name": "TREGARTHEN, Elowen", "cell": "C4",
        "status": "in_custody", "juvenile": True, "vulnerable": False, "risk_level": "high",
        "risk_concerns": ["Have you ever tried to harm yourself or take your own life?"],
        "warning_markers": "Self-harm",
        "observation_level": 2, "observation_title": "Level 2 – intermittent observation (with rousing)",
        "observation_interval_minutes": 30, "next_check_due": "2026-11-21T18:50:00+00:00",
        "next_review_due": "2026-11-21T21:00:00+00:00", "detention_limit_at": "2026-11-22T09:00:00+00:00",
        "outstanding_rights": ["Free legal advice: requested 10:12, solicitor not yet arrived"],
        "appropriate_adult": "Morwen Tregarthen (mother): requested 10:15, awaited",
        "interpreter": "Requested 10:13: Polish",
        "healthcare": ["18:20 check response: roused – response not comprehensive: "
                       "healthcare professional to be called"],
    }],
    "flagged": [{"record_id": "r1", "custody_number": "BW-2026-000007", "name": "TREGARTHEN, Elowen",
                 "at": "2026-11-21T18:20:00+00:00", "kind": "observation_level",
                 "text": "Level 2 – intermittent observation set by Sgt Alys Penhallow. Reason: Disclosed low mood.",
                 "by": "Sgt Alys Penhallow (CS2417)"}],
}


def test_the_handover_prints_every_detainee_and_what_was_flagged(tmp_path: Path) -> None:
    path = tmp_path / "handover.pdf"
    build_handover_pdf(HANDOVER, path, printed_by="Sgt Alys Penhallow (CS2417)")
    text = pdf_tools.flat(path)
    for words in ("Custody handover", "Northtown Custody Suite",
                  "Last handed over 21/11/2026 07:00 GMT to Sgt Alys Penhallow (CS2417) by Sgt Kenver Rowe.",
                  "TREGARTHEN, Elowen — cell C4 — BW-2026-000007", "High risk",
                  "Level 2 – intermittent observation (with rousing) (every 30 minutes)",
                  "21/11/2026 18:50 GMT — OVERDUE", "21/11/2026 21:00 GMT", "22/11/2026 09:00 GMT",
                  "solicitor not yet arrived", "Morwen Tregarthen (mother): requested 10:15, awaited",
                  "Requested 10:13: Polish", "healthcare professional to be called", "Juvenile",
                  "Flagged since the last handover", "Disclosed low mood", "Incoming custody sergeant",
                  "End of handover: 1 detainee, 1 flagged item."):
        assert words in text, words
    assert (0, "TREGARTHEN, Elowen — cell C4 — BW-2026-000007") in pdf_tools.outline(path)
