"""The account pages without a browser: the membership acted for."""


def test_switching_membership_only_to_ones_own(web_for, world):
    from samen.organisations.models import Membership, Organisation, Role

    client = web_for("demo-coordinator")
    user = Membership.objects.get(user__username="demo-coordinator").user
    extra = Membership.objects.create(
        user=user,
        organisation=Organisation.objects.get(name="CoMensha (demo)"),
        role=Role.NATIONAL_REGISTRAR,
    )
    foreign = Membership.objects.get(user__username="demo-admin")
    client.post("/account/membership/", {"membership": str(foreign.pk)})
    assert client.session.get("samen_membership_id") is None
    client.post("/account/membership/", {"membership": str(extra.pk)})
    assert client.session["samen_membership_id"] == extra.pk
