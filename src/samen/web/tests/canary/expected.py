"""Who must see which planted marker, written by hand from issue #12 and docs (DOMAIN.md:
"Need to know", the chain's actors), NOT from the register or the policy code.

Marker kinds (see world.py for where each is planted):
  identity           name, nationality (text) and date of birth (a date)   - identity
  contact            contact details                                       - contact
  location           the case's municipality (a municipality of its own)   - location
  health             the needs profile of a shelter referral               - health
  immigration        reflection period and B8/3 dates, deadlines           - immigration
  assessmentdate     the date the slightest indication was established
                     and its decision deadline (U1)                        - exploitation
  reportdate         the date of the report to the police (U1)             - criminal data
  carenote           a care coordinator's note                             - free text
  investigationnote  a police investigation note                           - criminal data
  hotelsignal        the hotel's own signal text (U1)                      - free text, own signal
  othersignal        another signaller's signal text (U1, G1)              - free text
  profsignal         demo-professional's own signal text (U2, M1)          - free text, own signal
  shelterreason      the reason of the share with the shelter (U1)         - free text
  policereason       the reason of the share with the police (U1)          - free text
  emergencyreason    the reason of the emergency access (G1)               - free text
  unclassified       an identity field no category names                  - none: deny by default

Demographics and forms of exploitation have no free-text field to plant a marker in (they are
codes); exploitation is checked on the API structurally (test_canary.py).

For each (user, case): GRANT = must appear somewhere in what the user can fetch; MAY = not
checked either way (the issue leaves it open; listed in the report for the coordinator); every
other kind must appear nowhere. A user/case pair not listed here is "no relation": nothing at
all, and not even the case number.
"""

from __future__ import annotations

KINDS = (
    "identity",
    "contact",
    "location",
    "health",
    "immigration",
    "assessmentdate",
    "reportdate",
    "carenote",
    "investigationnote",
    "hotelsignal",
    "othersignal",
    "profsignal",
    "shelterreason",
    "policereason",
    "emergencyreason",
    "unclassified",
)
USERS = (
    "demo-coordinator",
    "demo-coordinator-noord",
    "demo-hotel",
    "canary-hotel-noord",
    "demo-professional",
    "demo-investigator",
    "demo-registrar",
    "demo-shelter",
    "demo-programme",
    "demo-privacy",
    "demo-ind",
    "demo-nidos",
)
CASES = ("U1", "U2", "M1", "G1")


def rel(grant: str = "", may: str = "") -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(grant.split()), frozenset(may.split())


# (user, case) -> (GRANT, MAY)
EXPECTED: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {
    # --- U1: Utrecht adult; hotel signal + another signal; reflection period and B8/3; shared
    # with the Utrecht shelter (demographics, location) and the Utrecht police (investigation).
    # Responsible coordination: the hub of the case sees what care coordination needs, the
    # reflection period's deadlines included ("the coordinator finds the deadline under
    # Termijnen", README), the signals and the reasons of its own shares. Police notes are
    # criminal data under the police data law: not decided by the issue, so MAY.
    # The reasons of its own shares: no page shows a share's reason today, so MAY.
    # The slightest indication opens the reflection period and the care that comes with it:
    # the coordinator reads when it was established. The date of the report to the police is
    # criminal data, like the police's note: MAY.
    ("demo-coordinator", "U1"): rel(
        "identity contact location immigration assessmentdate carenote hotelsignal othersignal",
        "investigationnote shelterreason policereason reportdate",
    ),
    # The hotel that signalled: its own signal and the advice, nothing of the case (issue #1,
    # What-to-build 2: "its own signals only").
    ("demo-hotel", "U1"): rel("hotelsignal"),
    # The shelter with a share of demographics and location only (issue #4): the location and
    # nothing else - no notes, no identification path, no signals. Whether the recipient reads
    # the reason the sender gave for its own share is open.
    ("demo-shelter", "U1"): rel("location", "shelterreason"),
    # The police: shared for investigation (identity, demographics, exploitation, location,
    # immigration) and the investigating service that took the identification steps; it reads
    # its own investigation note. Not the coordinator's care note (care free text was not
    # shared), not the shelter share's reason. Signal texts and contact are open.
    # It established the indication and took the report: both dates are its own work.
    ("demo-investigator", "U1"): rel(
        "identity location immigration assessmentdate reportdate investigationnote",
        "contact hotelsignal othersignal policereason",
    ),
    # CoMensha, the national coordination centre, registers every possible victim: identity and
    # location. Which else of registration (signal texts, contact, immigration for COSM intake)
    # is open; the police's investigation note is criminal data it has no purpose for.
    ("demo-registrar", "U1"): rel(
        "identity location",
        "contact immigration assessmentdate reportdate hotelsignal othersignal carenote "
        "shelterreason policereason",
    ),
    # The IND: a case with a reflection period and a B8/3 step (issue What-to-build 1) - the
    # immigration data and the identity of the person it decides the permit for (DOMAIN: the
    # IND decides on residence under B8/3). It decides on residence, not on exploitation:
    # neither the forms of exploitation (checked on the API, test_canary.py) nor when the
    # slightest indication was established; not the report to the police (criminal data; the
    # B8/3 application carries its own date); never care or police notes, signal texts or
    # share reasons. Where the case is, and how to reach the person, are open.
    ("demo-ind", "U1"): rel("immigration identity", "location contact"),
    # The privacy officer supervises shares (/privacy/delingen/); whether it reads their
    # reasons is open. It reads no case content (the subject-access report, which by design
    # shows the subject's data, is not crawled for it; see the README).
    ("demo-privacy", "U1"): rel("", "shelterreason policereason"),
    # --- U2: Utrecht adult signalled by demo-professional; no reflection period, no share, no
    # assessment; a care note and a shelter referral (needs profile).
    # The needs profile is the coordinator's own referral; the planted marker sits in its
    # languages, which no page shows today, so it is checked only where it must not appear.
    ("demo-coordinator", "U2"): rel("identity contact location carenote profsignal", "health"),
    # The professional who signalled: its own signal text only.
    ("demo-professional", "U2"): rel("profsignal"),
    ("demo-registrar", "U2"): rel("identity location", "contact profsignal carenote health"),
    # An open referral may be offered to the region's shelters as an opaque needs profile
    # (DOMAIN: "a referral can be opaque (needs profile without identity) until a place
    # accepts"): the needs only, never who it is.
    ("demo-shelter", "U2"): rel("", "health"),
    # IND: no reflection period, no B8/3 step -> no relation (issue #3). Police: no assessment,
    # no share -> no relation. Nidos: an adult -> no relation. (Not listed = nothing.)
    # --- M1: unaccompanied foreign minor in Utrecht, Nidos attached as guardian; signalled by
    # demo-professional (the identification demo's minor case).
    ("demo-coordinator", "M1"): rel("identity contact carenote profsignal"),
    # Nidos is the guardian: the minor's identity at least; the rest of what a guardian needs
    # is open.
    ("demo-nidos", "M1"): rel("identity", "contact carenote profsignal"),
    ("demo-professional", "M1"): rel("profsignal"),
    # The police recorded the path's facts for this minor (the demo does); whether that alone
    # is an investigating relation is open. The care note is not police business.
    ("demo-investigator", "M1"): rel("", "identity contact profsignal"),
    ("demo-registrar", "M1"): rel("identity", "contact profsignal carenote"),
    # --- G1: Groningen adult; the Utrecht coordinator opened it by emergency access.
    ("demo-coordinator-noord", "G1"): rel(
        "identity contact location carenote othersignal", "emergencyreason"
    ),
    # Emergency access: what the coordinator role would see of its own case, flagged and
    # reviewed (issue What-to-build 1: "the only way around").
    ("demo-coordinator", "G1"): rel(
        "identity contact location carenote othersignal", "emergencyreason"
    ),
    # The privacy officer reviews every emergency access, with its reason.
    ("demo-privacy", "G1"): rel("emergencyreason"),
    ("demo-registrar", "G1"): rel(
        "identity location", "contact othersignal carenote emergencyreason"
    ),
}

# Users who see case numbers in their work without a relation to the case: the privacy officer
# reads the audit trail, which names the cases every entry touched.
SEES_CASE_NUMBERS = frozenset({"demo-privacy"})
# A relation that is its own signal only: the case number may be the signal's receipt.
OWN_SIGNAL_ONLY = frozenset(
    {("demo-hotel", "U1"), ("demo-professional", "U2"), ("demo-professional", "M1")}
)


def expectation(user: str, case: str) -> tuple[frozenset[str], frozenset[str]]:
    return EXPECTED.get((user, case), (frozenset(), frozenset()))


def no_relation(user: str, case: str) -> bool:
    return (user, case) not in EXPECTED
