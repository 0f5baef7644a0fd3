"""A real OpenID Connect provider for the tests: a small Django project of its own around
django-oidc-provider, run in a second process on loopback (see serve.py and ../conftest.py).
Its users and the claims it asserts come from a JSON directory file the tests write."""
