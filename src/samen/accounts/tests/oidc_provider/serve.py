"""Start the test identity provider: migrate its own SQLite file, make a signing key and Samen's
client, then serve on 127.0.0.1 until killed. Run by the tests as a second process:

    python -m samen.accounts.tests.oidc_provider.serve PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI \
        POST_LOGOUT_REDIRECT_URI
"""

import os
import sys

import django


def main() -> None:
    port, client_id, secret, redirect_uri, post_logout_uri = sys.argv[1:6]
    os.environ["DJANGO_SETTINGS_MODULE"] = "samen.accounts.tests.oidc_provider.settings"
    django.setup()
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client.objects.create(
        name="Samen",
        client_type="confidential",
        client_id=client_id,
        client_secret=secret,
        jwt_alg="RS256",
        require_consent=False,
        _redirect_uris=redirect_uri,
        _post_logout_redirect_uris=post_logout_uri,
        _scope="openid email profile",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, verbosity=0)


if __name__ == "__main__":
    main()
