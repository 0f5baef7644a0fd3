"""The relying party's side of the code flow, per provider, on mozilla-django-oidc's backend: the
code is exchanged at the provider's token endpoint (with the PKCE verifier), the id token's
signature checked against the provider's published keys, its nonce, issuer, audience and expiry
checked, and the userinfo endpoint asked for the profile."""

from __future__ import annotations

import logging

import jwt
import requests
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from samen.accounts.oidc.claims import INVALID_TOKEN, PROVIDER
from samen.accounts.oidc.providers import Provider, discovery
from samen.accounts.oidc.services import SignInRefused

logger = logging.getLogger(__name__)
# Claims the id token alone may state: a userinfo answer cannot add or change them.
TOKEN_ONLY = ("iss", "aud", "sub", "acr", "amr", "nonce", "exp", "iat", "auth_time", "azp")


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, bound to one provider instead of the global settings. Used
    for its token, key and signature handling only; users are found by samen.accounts.oidc."""

    def __init__(self, provider: Provider):
        # Not super().__init__: that reads one provider from settings.
        document = discovery(provider)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint", "")
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret()
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def verify_token(self, token: str, **kwargs: object) -> dict:
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc leaves the audience and issuer unchecked; a token for another
        # client, or from another issuer, is refused here.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.provider.client_id not in audiences:
            raise SuspiciousOperation("id token for another audience")
        if str(payload.get("iss", "")).rstrip("/") != self.provider.issuer:
            raise SuspiciousOperation("id token from another issuer")
        if not payload.get("sub"):
            raise SuspiciousOperation("id token without subject")
        return payload


def claims_for_code(
    *, provider: Provider, code: str, nonce: str, code_verifier: str | None, redirect_uri: str
) -> tuple[dict, str]:
    """The verified claims of a sign-in: the id token's, with the userinfo answer's profile
    claims added (never overriding what the token states), and the id token itself (the hint
    the provider asks for at sign-out). Raises SignInRefused."""
    try:
        backend = ProviderBackend(provider)
        payload = {
            "client_id": provider.client_id,
            "client_secret": backend.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        token_info = backend.get_token(payload)
        id_token = str(token_info.get("id_token", ""))
        claims = backend.verify_token(id_token, nonce=nonce)
        if backend.OIDC_OP_USER_ENDPOINT and token_info.get("access_token"):
            info = backend.get_userinfo(token_info["access_token"], None, claims)
            if info.get("sub") != claims["sub"]:
                raise SuspiciousOperation("userinfo for another subject")
            claims = {**{k: v for k, v in info.items() if k not in TOKEN_ONLY}, **claims}
    except (SuspiciousOperation, jwt.PyJWTError) as exc:
        # The exception's class only: messages may quote the token.
        logger.warning(
            "oidc.token_refused", extra={"provider": provider.key, "error": type(exc).__name__}
        )
        raise SignInRefused(INVALID_TOKEN) from exc
    except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured) as exc:
        logger.warning(
            "oidc.provider_failed", extra={"provider": provider.key, "error": type(exc).__name__}
        )
        raise SignInRefused(PROVIDER) from exc
    return claims, id_token


def _why(provider: Provider, exc: Exception) -> dict:
    return {"provider": provider.key, "error": type(exc).__name__}
