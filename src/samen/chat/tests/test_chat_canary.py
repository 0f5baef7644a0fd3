"""Nothing identifying of a chat stays: a canary typed in messages (and in a declined referral)
is in no log line at any time and in no table once the retention period has passed; the
person's address is stored nowhere, not even while the chat runs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samen.chat import services
from samen.sharing.tests.canary import database_text

pytestmark = pytest.mark.django_db
CANARY = "KANARIE-7f3a9c"
ADDRESS = "203.0.113.77"


def test_a_canary_in_a_chat_is_in_no_log_and_no_table_after_retention(world, web_for, caplog):
    caplog.set_level(logging.DEBUG)
    person = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=f"Browser {CANARY}-agent")
    person.post("/chat/start/")
    counsellor = web_for("demo-counsellor")
    from samen.chat.models import Conversation

    pk = Conversation.objects.get().pk
    counsellor.post(f"/chat/dienst/{pk}/oppakken/")
    person.post("/chat/bericht/", {"body": f"mijn nummer is {CANARY}"})
    counsellor.post(f"/chat/dienst/{pk}/bericht/", {"body": f"herhaal {CANARY}"})
    counsellor.post(
        f"/chat/dienst/{pk}/doorverwijzen/",
        {
            "indicators": ["general.control.not_free"],
            "municipality": "GM0344",
            "notes": f"deelt {CANARY}",
        },
    )
    person.post("/chat/toestemming/", {"answer": "no"})
    counsellor.post(f"/chat/dienst/{pk}/veiligheid/")
    person.post("/chat/weg/")
    # While the chat runs its messages are held, but never the address or the browser.
    during = database_text()
    assert CANARY in during
    assert ADDRESS not in during and f"{CANARY}-agent" not in during
    services.chat_purge(now=timezone.now() + timedelta(hours=73))
    after = database_text()
    assert CANARY not in after and ADDRESS not in after
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert CANARY not in logged and ADDRESS not in logged
