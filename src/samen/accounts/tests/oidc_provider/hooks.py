"""The test provider's directory: users, passwords and asserted claims from a JSON file that the
tests rewrite between sign-ins, read on every request."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


def _directory() -> dict:
    return json.loads((settings.STATE_DIR / "directory.json").read_text())


class DirectoryBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        entry = _directory().get(username or "")
        if entry is None or entry["password"] != password:
            return None
        user, _ = User.objects.get_or_create(username=username)
        return user


def subject(user: User) -> str:
    return _directory()[user.username].get("sub", f"subject-{user.username}")


def id_token_claims(id_token: dict, user: User, **kwargs: object) -> dict:
    # What this provider asserts about the person: organisation, roles, acr/amr, profile.
    return {**id_token, **_directory()[user.username]["claims"]}


def userinfo(claims: dict, user: User) -> dict:
    profile = _directory()[user.username]["claims"]
    claims.update({k: v for k, v in profile.items() if k in ("given_name", "family_name", "email")})
    return claims
