"""The identification app's choices for pages and serializers, which import no models (issue
#22's `views-import-no-models` contract). Defined on the models, where the migrations name them."""

from samen.identification.models import AgeAssessment, CommissionOutcome, NonPunishmentReason

__all__ = ["AgeAssessment", "CommissionOutcome", "NonPunishmentReason"]
