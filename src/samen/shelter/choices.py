"""The shelter app's choices for pages, forms and serializers, which import no models (issue
#22's `views-import-no-models` contract). Defined on the models, where the migrations name them;
named here so a page need not reach into the models for a list of codes."""

from samen.shelter.models import (
    ContraCode,
    DeclineReason,
    OutflowDestination,
    PlaceType,
    SecurityLevel,
    TargetGroup,
    Urgency,
    WithdrawReason,
)

__all__ = [
    "ContraCode",
    "DeclineReason",
    "OutflowDestination",
    "PlaceType",
    "SecurityLevel",
    "TargetGroup",
    "Urgency",
    "WithdrawReason",
]
