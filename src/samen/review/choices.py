"""The review app's choices for pages, which import no models (issue #22's
`views-import-no-models` contract). Defined on the models, where the migrations name them."""

from samen.review.models import ItemKind

__all__ = ["ItemKind"]
