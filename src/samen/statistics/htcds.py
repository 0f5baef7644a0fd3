"""Case-level export in IOM HTCDS 2.0 field names, pseudonymised and k-anonymous.

Reads cases only through the statistics selector, which applies the register for the statistics
purpose: identity never reaches this module. Nationality leaves only as a group (NL / EU /
non-EU): HTCDS asks for ISO codes, but exact nationality in small groups identifies people.
"""

from __future__ import annotations

import hashlib
import hmac

from samen.statistics.kanon import KAnonResult, k_anonymise

GENDER = {"female": "Feminine", "male": "Masculine", "other": "NonConforming"}
FORMS = {
    "sexual": "SexualExploitation",
    "labour": "ForcedLabour",
    "criminal": "Other",  # HTCDS 2.0 has no criminal exploitation; "Other" as the standard says
    "organ_removal": "OrganRemoval",
    "forced_begging": "ForcedBegging",
    "forced_marriage": "ForcedMarriage",
    "other": "Other",
}
STATUS = {
    "signalled": "Active",
    "in_progress": "Active",
    "referred": "FollowUp",
    "closed": "Closed",
}
AGE = {
    "0-11": "0-11",
    "12-17": "12-17",
    "18-22": "18-24",
    "23-29": "25-29",
    "30-49": "30-49",
    "50+": "50+",
}
MINOR_OR_ADULT = {"0-11": "minor", "12-17": "minor"}
QUASI = ("year", "age_band", "prs_Gender", "prs_Citizenship", "vic_TypeOfExploitation")
COLUMNS = (
    "cas_ID", *QUASI, "vic_TraffickingStatus", "vic_TraffickingStatusDecisionMakingOrg",
    "cas_Status", "generalised",
)  # fmt: skip


def pseudonym(number: str, key: bytes) -> str:
    """A stable pseudonym per case, useless without the key and different from the case number."""
    return "HT-" + hmac.new(key, f"htcds:v1|{number}".encode(), hashlib.sha256).hexdigest()[:16]


def to_record(row: dict, key: bytes) -> dict[str, str]:
    forms = sorted({FORMS.get(f, "Other") for f in row.get("forms", [])}) or ["Unknown"]
    return {
        "cas_ID": pseudonym(str(row["number"]), key),
        "year": str(row["opened_at"].year),
        "age_band": AGE.get(str(row.get("age_band", "")), "Unknown"),
        "prs_Gender": GENDER.get(str(row.get("gender", "")), "NonSpecifiedUnknown"),
        "prs_Citizenship": {"NL": "NL", "EU": "EU", "non_EU": "non-EU"}.get(
            str(row.get("nationality_group", "")), "Unknown"
        ),
        "vic_TypeOfExploitation": ";".join(forms),
        # Registered possible victims: identification outcomes are not in the register yet.
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TraffickingStatusDecisionMakingOrg": "",
        "cas_Status": STATUS.get(str(row.get("status", "")), "Active"),
        "generalised": "",
    }


def _coarser_age(value: str) -> str:
    if value in ("0-11", "12-17"):
        return "minor"
    return "adult" if value not in ("Unknown", "minor", "adult") else value


LADDER = (
    ("age_band", _coarser_age),
    ("prs_Citizenship", lambda v: "Unknown"),
    ("vic_TypeOfExploitation", lambda v: v if ";" not in v else "Multiple"),
    ("prs_Gender", lambda v: "NonSpecifiedUnknown"),
)


def build_export(rows: list[dict], *, key: bytes, k: int) -> KAnonResult:
    records = [to_record(r, key) for r in rows]
    result = k_anonymise(records, quasi=QUASI, ladder=LADDER, k=k)
    originals = {r["cas_ID"]: r for r in records}
    for r in result.released:
        if any(r[q] != originals[r["cas_ID"]][q] for q in QUASI):
            r["generalised"] = "yes"
    return result
