"""The cases app's choices for pages, forms and serializers, which import no models (issue #22's
`views-import-no-models` contract, ADR 0052). Defined on the models, where the migrations name
them."""

from samen.cases.models import AgeBand, CaseStatus

__all__ = ["AgeBand", "CaseStatus"]
