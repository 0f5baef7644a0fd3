"""Existing cases move onto the lifecycle statuses, and "in progress" and "referred" go (issue
#14, ADR 0037).

A case in an old status gets the status its facts imply, as samen.cases.lifecycle would have set
it: a running shelter placement puts it in care; otherwise the identification path's state does
(in assessment, or in care from a reflection period, report or permit on); a case without such
facts keeps what the old status meant: "in progress" becomes "in assessment" (someone works on
it) and "referred" becomes "in care" (it was passed on to care). Each change is a timeline entry
("status changed", source: migration), so the history says what happened and when.

Not reversible as data: after the move, the new statuses cannot tell which case was "in
progress" and which "referred". Going back only restores the field's old choices (migration
0005 lists all six), and the cases keep their new statuses, which 0005 accepts.
"""

from django.db import migrations, models
from django.utils import timezone

# A copy of samen.cases.lifecycle.PATH_STATUS as it stands now: a migration must not change
# when that table does. Only the statuses a case "in progress" or "referred" can move forward to.
PATH_STATUS = {
    "under_assessment": "in_assessment",
    "indication_established": "in_assessment",
    "indication_not_established": "in_assessment",
    "reflection_declined": "in_assessment",
    "reflection_offered": "in_care",
    "reflection_accepted": "in_care",
    "reflection_ended": "in_care",
    "report_made": "in_care",
    "exempted": "in_care",
    "b83_applied": "in_care",
    "b83_granted": "in_care",
    "b83_refused": "in_care",
    "b83_ended": "in_care",
    "continued_residence_applied": "in_care",
    "continued_residence_granted": "in_care",
    "continued_residence_refused": "in_care",
    "other_route": "in_care",
}
WITHOUT_FACTS = {"in_progress": "in_assessment", "referred": "in_care"}


def new_status(old: str, *, placed: bool, path_state: str | None) -> str:
    """The lifecycle status of a case in an old status, by its placement and path."""
    if placed:
        return "in_care"
    return PATH_STATUS.get(path_state or "", WITHOUT_FACTS[old])


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    IdentificationPath = apps.get_model("identification", "IdentificationPath")
    Placement = apps.get_model("shelter", "Placement")
    old_cases = Case.objects.using(db).filter(status__in=list(WITHOUT_FACTS))
    placed = set(
        Placement.objects.using(db)
        .filter(ended_at__isnull=True, referral__case__in=old_cases)
        .values_list("referral__case_id", flat=True)
    )
    states = dict(
        IdentificationPath.objects.using(db)
        .filter(case__in=old_cases)
        .values_list("case_id", "state")
    )
    now = timezone.now()
    moves: dict[tuple[str, str], list[int]] = {}
    for pk, old in old_cases.values_list("pk", "status"):
        new = new_status(old, placed=pk in placed, path_state=states.get(pk))
        moves.setdefault((old, new), []).append(pk)
    for (old, new), pks in moves.items():
        Case.objects.using(db).filter(pk__in=pks).update(status=new)
        CaseEvent.objects.using(db).bulk_create(
            CaseEvent(
                case_id=pk, kind="status_changed", at=now,
                data={"old": old, "new": new, "source": "migration"},
            )  # fmt: skip
            for pk in pks
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_lifecycle_owner"),
        ("identification", "0001_initial"),
        ("shelter", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='case',
            name='status',
            field=models.CharField(choices=[('signalled', 'Signalled'), ('in_assessment', 'In assessment'), ('in_care', 'In care'), ('closed', 'Closed')], default='signalled', max_length=16, verbose_name='status'),
        ),
    ]
