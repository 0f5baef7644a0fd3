"""The identification path's relations to a case, as conditions of the access core's table
(samen.core.policy.RELATIONS): the guardian of a minor, the service that took a step, the IND."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from samen.core.policy import relation_condition
from samen.identification.models import Deadline, IdentificationPath, PathStep

# Path steps that put a case before the IND: a reflection period or a B8/3 step.
IMMIGRATION_STEPS = frozenset(
    {
        "reflection_offer",
        "reflection_accept",
        "reflection_decline",
        "b83_apply",
        "b83_grant",
        "b83_refuse",
        "b83_renew",
        "reflection_end_early",
        "cooperation_exempt",
        "b83_end",
        "continued_residence_apply",
        "continued_residence_grant",
        "continued_residence_refuse",
    }
)


@relation_condition("guardian_of_minor")
def guardian_of_minor(org) -> Q:
    # Doubt about the age counts for protection: a presumed minor is a minor here too.
    paths = IdentificationPath.objects.filter(
        case_id=OuterRef("pk"), guardian_organisation_id=org.pk
    ).filter(Q(presumed_minor=True) | Q(case__person__is_minor=True))
    return Q(Exists(paths))


@relation_condition("took_a_step")
def took_a_step(org) -> Q:
    return Q(Exists(PathStep.objects.filter(path__case_id=OuterRef("pk"), organisation_id=org.pk)))


@relation_condition("before_the_ind")
def before_the_ind(org) -> Q:
    steps = PathStep.objects.filter(path__case_id=OuterRef("pk"), transition__in=IMMIGRATION_STEPS)
    # A report is the B8/3 application ex officio: the decision term it opens is the IND's own,
    # and with it the case is before the IND (not for a Dutch victim: no term is opened then).
    terms = Deadline.objects.filter(path__case_id=OuterRef("pk"), organisation_id=org.pk)
    return Q(Exists(steps)) | Q(Exists(terms))
