"""Plain Dutch in what the identification app sends (issue #16, item 1): every in-app
notification text and every e-mail, rendered for a Dutch recipient, is searched like the
page walk searches pages (codes, English months) and, as these texts carry dates, for dates in
ISO form rather than the Dutch format. Each text must also differ from its English rendering:
an untranslated sentence reads the same in both."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.utils import translation

from samen.cases.models import Case
from samen.identification import reminders, selectors
from samen.identification.models import Deadline, DeadlineKind, IdentificationPath, Notification
from samen.shelter.models import Hold, Referral
from samen.web.tests.canary.test_plain_dutch import code_pattern, findings

pytestmark = [pytest.mark.django_db, pytest.mark.once]

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# The English glue of these sentences: a Dutch text with its variable parts translated but its
# sentence not would still differ from the English one.
ENGLISH_GLUE = re.compile(
    r"\b(today|reminder|days|before|overdue|released|please|sign in|held|due)\b", re.IGNORECASE
)
DUE = date(2027, 3, 2)
EXPIRES = datetime(2027, 6, 1, 10, 50, tzinfo=UTC)
STAGES = ("14", "7", "0", "overdue")


def _notification_texts(language: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    with translation.override(language):
        for kind in Notification.Kind.values:
            if kind == Notification.Kind.DEADLINE:
                for deadline in DeadlineKind.values:
                    for stage in STAGES:
                        data = {"deadline": deadline, "due_on": DUE.isoformat(), "stage": stage}
                        texts[f"{kind}/{deadline}/{stage}"] = selectors.notification_text(
                            kind, data
                        )
            else:
                data = {"expires_at": EXPIRES.isoformat()}
                texts[kind] = selectors.notification_text(kind, data)
    return texts


def _emails(language: str) -> dict[str, str]:
    """Every e-mail the reminders send, to one address, as subject and body."""
    case = Case(number="MH-2027-000042")
    mail.outbox = []
    names = []
    with translation.override(language):
        for deadline_kind in DeadlineKind.values:
            path = IdentificationPath(case=case)
            deadline = Deadline(path=path, kind=deadline_kind, due_on=DUE)
            for stage in STAGES:
                reminders._mail(deadline, stage, ["iemand@example.test"], date(2027, 2, 23))
                names.append(f"deadline/{deadline_kind}/{stage}")
        hold = Hold(referral=Referral(case=case), expires_at=EXPIRES)
        reminders._mail_hold(hold, ["iemand@example.test"])
        names.append("hold")
    assert len(mail.outbox) == len(names)
    return {n: f"{m.subject}\n{m.body}" for n, m in zip(names, mail.outbox, strict=True)}


def _check(dutch: dict[str, str], english: dict[str, str]) -> list[str]:
    pattern = code_pattern()
    found: list[str] = []
    for name, text in dutch.items():
        found += findings(pattern, name, text)
        found += [f"{name}: ISO date {m.group(0)!r} in {text!r}" for m in ISO_DATE.finditer(text)]
        found += [
            f"{name}: English {m.group(0)!r} in {text!r}" for m in ENGLISH_GLUE.finditer(text)
        ]
        if text == english[name]:
            found.append(f"{name}: not translated: {text!r}")
    return found


def test_every_notification_text_reads_in_plain_dutch():
    found = _check(_notification_texts("nl"), _notification_texts("en"))
    assert not found, "\n".join(found)


def test_every_reminder_email_reads_in_plain_dutch():
    found = _check(_emails("nl"), _emails("en"))
    assert not found, "\n".join(found)


def test_the_search_finds_an_iso_date_and_an_untranslated_text():
    assert _check({"x": "Termijn op 2027-03-02"}, {"x": "Due on 2027-03-02"})
    assert _check({"x": "Deadline"}, {"x": "Deadline"})
    assert _check({"x": "Einde bedenktijd today (2 maart 2027)"}, {"x": "x"})
    assert not _check({"x": "Termijn op 2 maart 2027"}, {"x": "Due on 2 March 2027"})
