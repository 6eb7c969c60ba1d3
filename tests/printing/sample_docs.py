"""Fictional custody records and charge sheets for printing tests and the benchmark.

Every name, number and address here is invented.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from desktop.printing.documents import (
    Arrest, BailDecision, CautionOnCharge, Charge, ChargeSheetDoc, Check, CustodyRecordDoc, DetentionDecision,
    Disposal, FirstHearing, LogEntry, ObservationLevelSet, Officer, Person, Postponement, Release, Review,
    Rights, RightsRequest, RiskAssessment,
)

UTC = timezone.utc
# Saturday 21 November 2026, 10:20 UTC = 10:20 GMT (London is on GMT in November).
ARRIVED = datetime(2026, 11, 21, 10, 20, tzinfo=UTC)

SERGEANT = Officer("Priya Okonkwo-Hale", "Sergeant", "4471")
DETENTION_OFFICER = Officer("Tomasz Wren", "Detention officer", "DO 5520")
INSPECTOR = Officer("Fenella Marsh", "Inspector", "902")
ARRESTING = Officer("Callum Ibekwe", "PC", "6183")

DETAINEE = Person(
    surname="Ångström-Łukasiewicz",
    forenames="Zoë",
    date_of_birth=date(1994, 3, 7),
    address="Flat 3, 17 Quillfeather Row, Northtown, NT4 9ZX",
    pnc_id="94/123456X",
    cro_number="012345/94L",
    gender="Female",
    aliases=("Ζωή Λουκάσεβιτς", "Зоя Лукасевич"),
)


def log_entry(n: int, observed: datetime, text: str, *, kind: str = "note", author: Officer = DETENTION_OFFICER,
              delay: timedelta = timedelta(minutes=2), corrects: int | None = None) -> LogEntry:
    return LogEntry(
        id=f"00000000-0000-4000-8000-{n:012d}", kind=kind, text=text, observed_at=observed,
        recorded_at=observed + delay, author=author,
        corrects_id=f"00000000-0000-4000-8000-{corrects:012d}" if corrects else None,
    )


def sample_log() -> tuple[LogEntry, ...]:
    """Five entries. Entry 3 was keyed late (observed before entry 2 happened) and entry 5 corrects
    entry 2; the printed order must be 1, 3, 2, 5, 4."""
    t = ARRIVED
    return (
        log_entry(1, t + timedelta(minutes=5), "Detainee booked in; calm and cooperative.", author=SERGEANT),
        log_entry(2, t + timedelta(minutes=40), "Meal offered: vegetarian all-day breakfast. Refused.", kind="meal"),
        log_entry(3, t + timedelta(minutes=30), "Cell visit: awake, sitting on bench, responded verbally.",
                  kind="cell_check", delay=timedelta(minutes=25)),
        log_entry(4, t + timedelta(minutes=90), "Drink of water provided.\nAsked about solicitor's arrival.",
                  kind="drink"),
        log_entry(5, t + timedelta(minutes=41), "Entry 2 is wrong: the meal was accepted and eaten in full.",
                  kind="correction", corrects=2, delay=timedelta(minutes=60)),
    )


def custody_record(log: tuple[LogEntry, ...] | None = None, *, checks: int = 4) -> CustodyRecordDoc:
    t = ARRIVED
    return CustodyRecordDoc(
        custody_number="01NT/2611/26",
        station="Northtown Custody Suite",
        detainee=DETAINEE,
        arrived_at=t,
        relevant_time=t,
        relevant_time_basis="Arrival at the first police station after arrest (PACE s.41(2)(d))",
        arrest=Arrest(arrested_at=t - timedelta(minutes=35), place="Outside 40 Tallow Lane, Northtown",
                      officer=ARRESTING, offences=("Theft from a shop (TH68010)",),
                      necessity="To allow the prompt and effective investigation of the offence (s.24(5)(e))."),
        detention=DetentionDecision(True, SERGEANT, t + timedelta(minutes=12),
                                    "To secure and preserve evidence and to obtain evidence by questioning."),
        interpreter="None",
        rights=Rights(t + timedelta(minutes=10), SERGEANT, notice_language="English", notice_version="2023-08",
                      requests=(
                          RightsRequest("Free legal advice", True, t + timedelta(minutes=10),
                                        "Duty solicitor via DSCC"),
                          RightsRequest("Someone informed of arrest", True, t + timedelta(minutes=11),
                                        "Sister, Maja Ångström", INSPECTOR,
                                        "Reasonable grounds to believe informing would alert an outstanding suspect."),
                          RightsRequest("Consult the Codes of Practice", False),
                      )),
        risk_assessments=(
            RiskAssessment(1, t + timedelta(minutes=15), SERGEANT, "Low risk — level 1 observations",
                           "No self-harm history; no medication; not intoxicated.", ("None",)),
            RiskAssessment(2, t + timedelta(hours=3), SERGEANT, "Medium risk — level 2 observations",
                           "Disclosed low mood after interview.", ("Self-harm (historic)",)),
        ),
        observation_levels=(
            ObservationLevelSet("Level 1 — general observation (every 60 minutes)", SERGEANT,
                                t + timedelta(minutes=15), "Initial risk assessment"),
            ObservationLevelSet("Level 2 — intermittent observation (every 30 minutes, roused)", SERGEANT,
                                t + timedelta(hours=3), "Disclosed low mood"),
        ),
        checks=tuple(Check(t + timedelta(minutes=30 * (i + 1)), t + timedelta(minutes=30 * (i + 1) + 3),
                           DETENTION_OFFICER, "Visit" if i % 2 else "Rousing", "Responded; no concerns.")
                     for i in range(checks)),
        reviews=(
            Review("Review", t + timedelta(hours=6), t + timedelta(hours=6, minutes=20), INSPECTOR,
                   "Continued detention authorised", "Interview not yet complete.",
                   (Postponement(t + timedelta(hours=6), INSPECTOR, "Detainee in interview."),)),
            Review("Review", t + timedelta(hours=15, minutes=20)),
        ),
        log_entries=sample_log() if log is None else log,
        disposal=Disposal("Charged", t + timedelta(hours=7), SERGEANT, "One charge; bailed to court."),
        release=Release("Released", t + timedelta(hours=7, minutes=30), SERGEANT,
                        "Home address", "Conditional bail to Northtown Magistrates' Court"),
        printed_at=t + timedelta(hours=8),
        printed_by=SERGEANT,
    )


def long_log(count: int) -> tuple[LogEntry, ...]:
    kinds = ("cell_check", "note", "drink", "meal", "cell_check", "rest")
    return tuple(
        log_entry(i + 1, ARRIVED + timedelta(minutes=3 * i),
                  f"Entry {i + 1}: detainee checked through the hatch, breathing observed, responded when spoken to. "
                  f"Offered a drink{' and a blanket' if i % 3 == 0 else ''}.",
                  kind=kinds[i % len(kinds)])
        for i in range(count)
    )


def charge_sheet(**changes: object) -> ChargeSheetDoc:
    t = ARRIVED + timedelta(hours=7)
    values: dict[str, object] = dict(
        custody_number="01NT/2611/26",
        station="Northtown Custody Suite",
        defendant=DETAINEE,
        charges=(
            Charge(1, "TH68010", "Theft from a shop",
                   "Contrary to section 1(1) and 7 of the Theft Act 1968.",
                   "On 21/11/2026 at Northtown stole cosmetics to the value of £86.50 belonging to "
                   "Marlowe & Finch Ltd."),
            Charge(2, "CJ88150", "Common assault of an emergency worker",
                   "Contrary to section 39 of the Criminal Justice Act 1988 and section 1 of the Assaults on "
                   "Emergency Workers (Offences) Act 2018.",
                   "On 21/11/2026 at Northtown assaulted Callum Ibekwe, an emergency worker acting in the "
                   "exercise of his functions as such a worker, by beating him."),
        ),
        charged_at=t,
        charged_by=ARRESTING,
        custody_officer=SERGEANT,
        caution=CautionOnCharge(True, SERGEANT, t + timedelta(minutes=1)),
        reply_after_charge="I only took it because I was cold — I'm sorry, ça va pas.",
        bail=BailDecision("Conditional bail", SERGEANT, t + timedelta(minutes=10),
                          ("Not to enter Marlowe & Finch, Tallow Lane, Northtown.",
                           "To reside at Flat 3, 17 Quillfeather Row, Northtown."),
                          "To prevent further offences at the same shop and to ensure surrender to court."),
        first_hearing=FirstHearing("Northtown Magistrates' Court", datetime(2026, 12, 3, 10, 0, tzinfo=UTC), "2741"),
        urn="01NT0457826",
        asn="2601NT0100000012345A",
        printed_at=t + timedelta(minutes=20),
        printed_by=SERGEANT,
    )
    values.update(changes)
    return ChargeSheetDoc(**values)  # type: ignore[arg-type]
