"""One valid body for POST /api/v1/signals/, shared by the signals and cases API tests."""

from datetime import timedelta

from django.utils import timezone

from samen.signalling.models import Indicator

PAYLOAD = {
    "signal_list": "labour",
    "indicators": ["labour.documents.passport_held"],
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
    # Yesterday in Amsterdam when the test asks, not when the module was imported: a run that
    # crosses midnight would otherwise send a day that is no longer yesterday.
    yesterday = timezone.localdate() - timedelta(days=1)
    return {**PAYLOAD, "observed_on": yesterday.isoformat(), "indicators": codes}
