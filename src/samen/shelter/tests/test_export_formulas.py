"""CSV injection in the shelter dashboard download: codes stored in the database (a decline reason,
an outflow destination) that would run as formulas are neutralised."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from samen.shelter import services
from samen.shelter.models import Hold, Placement
from samen.shelter.services import NeedsInput

HYPERLINK = '=HYPERLINK("//e.x")'  # short: the code columns hold 24 characters


def test_the_dashboard_csv_neutralises_formulas(directory, case, actor_for, record, web_for):
    coordinator, shelter = actor_for("demo-coordinator"), actor_for("demo-shelter")
    refused = services.referral_create(
        actor=coordinator, case=record(forms=["sexual"]).case, data=NeedsInput()
    )
    hold = services.hold_place(actor=coordinator, referral=refused, place=directory["first"])
    services.hold_decline(actor=shelter, hold=hold, reason="safety")
    placed = services.referral_create(actor=coordinator, case=case, data=NeedsInput())
    hold = services.hold_place(actor=coordinator, referral=placed, place=directory["women"])
    services.hold_accept(actor=shelter, hold=hold)
    start = timezone.now() - timedelta(days=20)
    placement = services.placement_start(actor=shelter, hold=hold, at=start)
    services.placement_end(
        actor=shelter, placement=placement, outflow="supported_housing", at=start + timedelta(10)
    )
    # Seeded past the services, as a bad import or a future free-text field could.
    Hold.objects.filter(decline_reason="safety").update(decline_reason=HYPERLINK)
    Placement.objects.filter(outflow="supported_housing").update(outflow="@SUM(1+1)")

    body = web_for("demo-coordinator").get("/opvang/dashboard.csv?region=VR09").content.decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert ["Weigeringen naar reden", "'" + HYPERLINK, "Weigeringen", "1"] in rows
    assert ["Uitstroom", "'@SUM(1+1)", "Plaatsingen", "1"] in rows
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
