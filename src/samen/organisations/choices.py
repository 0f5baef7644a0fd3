"""The organisations' choices for pages and serializers, which import no models (issue #22's
`views-import-no-models` contract). Defined on the models, where the migrations name them."""

from samen.organisations.models import OrganisationType, Role

__all__ = ["OrganisationType", "Role"]
