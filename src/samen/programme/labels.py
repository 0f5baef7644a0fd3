"""The programme monitor's codes in words, registered with samen.labels (which finds this
module)."""

from __future__ import annotations

from samen.labels import register_choices
from samen.programme.models import (
    ActionStatus,
    Chamber,
    ItemStatus,
    LetterStatus,
    RecommendationBody,
    RecommendationStatus,
    UpdateState,
)

register_choices("action_status", ActionStatus)
register_choices("letter_status", LetterStatus)
register_choices("item_status", ItemStatus)
register_choices("chamber", Chamber)
register_choices("recommendation_body", RecommendationBody)
register_choices("recommendation_status", RecommendationStatus)
register_choices("update_state", UpdateState)
