"""From a provider's verified claims to what Samen grants: plain data in, a decision out."""

from __future__ import annotations

from dataclasses import dataclass

from samen.accounts.oidc.providers import Provider

# Refusal reasons: codes for the audit trail, never what the provider sent.
ORGANISATION = "organisation"
NO_ROLE = "no_role"
UNKNOWN_USER = "unknown_user"
INVALID_TOKEN = "invalid_token"  # noqa: S105  # a reason code, not a secret
PROVIDER = "provider"
INACTIVE = "inactive"


@dataclass(frozen=True)
class Decision:
    refused: str = ""  # a reason code; empty when the sign-in may go on
    roles: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # mapped roles above the provider's ceiling
    second_factor: bool = False


def _values(claim: object) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim]
    return []


def decide(provider: Provider, claims: dict) -> Decision:
    """Which roles the claims give in the provider's organisation, within its ceiling, and whether
    they assert a second factor. Deny by default: a missing or other organisation, or no role
    that maps, refuses."""
    if provider.organisation_claim:
        named = _values(claims.get(provider.organisation_claim))
        if not named or not set(named) <= set(provider.organisation_values):
            return Decision(refused=ORGANISATION)
    mapped = {
        provider.role_map[v]
        for v in _values(claims.get(provider.roles_claim))
        if v in provider.role_map
    }
    roles = tuple(sorted(mapped & set(provider.allowed_roles)))
    dropped = tuple(sorted(mapped - set(provider.allowed_roles)))
    if not roles:
        return Decision(refused=NO_ROLE, dropped=dropped)
    acr = claims.get("acr")
    amr = set(_values(claims.get("amr")))
    second_factor = (isinstance(acr, str) and acr in provider.second_factor_acr) or bool(
        amr & set(provider.second_factor_amr)
    )
    return Decision(roles=roles, dropped=dropped, second_factor=second_factor)
