"""The nightly audit verification alarms the privacy officers when the trail does not verify,
and stays quiet when it does."""

from django.core import mail

from samen.accounts.models import User
from samen.core import anchor
from samen.jobs.services import audit_verify_run


def test_an_intact_trail_alarms_nobody(record):
    record()
    anchor.checkpoint_head()
    assert audit_verify_run().ok
    assert mail.outbox == []


def test_a_trail_that_lost_its_checkpoint_alarms_every_privacy_officer(record, settings, tmp_path):
    User.objects.filter(username="demo-privacy").update(email="privacy@example.test")
    record()
    # The checkpoint file is gone: removal of the newest entries can no longer be ruled out.
    settings.AUDIT_ANCHOR_FILE = tmp_path / "replaced-anchor.log"
    check = audit_verify_run()
    assert not check.ok and check.reason == "not anchored"
    assert [m.to for m in mail.outbox] == [["privacy@example.test"]]
    assert "audit" in mail.outbox[0].subject.lower() or "audit" in mail.outbox[0].body.lower()
