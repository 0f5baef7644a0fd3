"""One valid body for POST /api/v1/signals/, shared by the signals and cases API tests."""

from datetime import date, timedelta

from samen.signalling.models import Indicator

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()

PAYLOAD = {
    "signal_list": "labour",
    "indicators": ["labour.documents.passport_held"],
    "observed_on": YESTERDAY,
    "municipality": "GM0344",
    "forms": ["labour"],
    "person": {"gender": "male", "age_band": "23-29"},
}


def signal_payload() -> dict:
    """The body with two high, not acute indicators of the labour list as the database holds
    them (the codes come from the versioned list, not from this file)."""
    codes = list(
        Indicator.objects.filter(
            signal_list__code="labour", severity="high", acute=False
        ).values_list("code", flat=True)[:2]
    )
    return {**PAYLOAD, "indicators": codes}
