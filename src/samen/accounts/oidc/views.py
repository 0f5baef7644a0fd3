"""Sign-in through a partner's identity provider: start (a redirect to the provider) and the
callback (code in, session out); and sign-out, which ends the provider's session too where the
provider offers an end-session endpoint (RP-initiated logout). The work is in client.py and
services.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from samen.accounts.oidc.claims import PROVIDER, decide
from samen.accounts.oidc.client import claims_for_code
from samen.accounts.oidc.providers import (
    Provider,
    discovery,
    end_session_endpoint,
    provider_get,
)
from samen.accounts.oidc.services import (
    AT_PROVIDER,
    LOCAL,
    PROVIDER_KEPT,
    SignInRefused,
    account_sign_out,
    oidc_refused,
    oidc_sign_in,
)
from samen.accounts.views import redirect_next
from samen.core.access import PUBLIC, access
from samen.core.actor import SESSION_KEY, client_origin

STATES_KEY = "samen_oidc_states"  # state -> provider key, beside mozilla-django-oidc's entries
# Which provider the user signed in through, and its id token: the hint its end-session endpoint
# asks for. In the server-side session only; never in a URL of Samen, never logged.
PROVIDER_KEY = "samen_oidc_provider"
ID_TOKEN_KEY = "samen_oidc_id_token"  # noqa: S105  # a session key's name, not a secret
STATE_REFUSED = "state"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class _StartView(OIDCAuthenticationRequestView):
    """mozilla-django-oidc's request view (state, nonce, PKCE in the session) for one provider."""

    def __init__(self, provider: Provider, authorization_endpoint: str):
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id

    def get_settings(self, attr: str, *args: object) -> object:
        if attr == "OIDC_RP_SCOPES":
            return self.provider.scopes
        return super().get_settings(attr, *args)

    def get_extra_params(self, request: HttpRequest) -> dict:
        return {"acr_values": self.provider.request_acr} if self.provider.request_acr else {}


def _failure(request: HttpRequest, provider: Provider | None) -> HttpResponse:
    # One message for every reason (the audit trail has the reason): no hint to a prober.
    messages.error(
        request,
        _("Signing in through %(organisation)s did not succeed. Ask your administrator.")
        % {"organisation": provider.display_name if provider else _("the identity provider")},
    )
    return redirect("login")


@access(PUBLIC)
@require_GET
def oidc_start(request: HttpRequest, provider_key: str) -> HttpResponse:
    provider = provider_get(provider_key)
    if provider is None:
        raise Http404
    try:
        endpoint = discovery(provider)["authorization_endpoint"]
    except Exception:  # the provider is down or answers nonsense: say so, do not crash
        oidc_refused(provider=provider, reason=PROVIDER, origin=client_origin(request.META, "web"))
        return _failure(request, provider)
    response = _StartView(provider, endpoint).get(request)
    states = request.session.get("oidc_states", {})
    # The newest state is the one just made; bind it to this provider for the callback.
    newest = max(states, key=lambda s: states[s].get("added_on", 0))
    bound = request.session.get(STATES_KEY, {})
    bound = {s: k for s, k in bound.items() if s in states}
    bound[newest] = provider.key
    request.session[STATES_KEY] = bound
    return response


@access(PUBLIC)
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    origin = client_origin(request.META, "web")
    state = request.GET.get("state", "")
    bound = request.session.get(STATES_KEY, {})
    states = request.session.get("oidc_states", {})
    # Each state is used once, whatever happens next (no replay).
    provider_key = bound.pop(state, None)
    entry = states.pop(state, None)
    request.session[STATES_KEY] = bound
    request.session["oidc_states"] = states
    provider = provider_get(provider_key) if provider_key else None
    if provider is None or entry is None:
        oidc_refused(provider=provider, reason=STATE_REFUSED, origin=origin)
        return _failure(request, provider)
    code = request.GET.get("code", "")
    if request.GET.get("error") or not code:
        oidc_refused(provider=provider, reason=PROVIDER, origin=origin)
        return _failure(request, provider)
    try:
        claims, id_token = claims_for_code(
            provider=provider,
            code=code,
            nonce=entry.get("nonce", ""),
            code_verifier=entry.get("code_verifier"),
            redirect_uri=absolutify(request, reverse("oidc-callback")),
        )
        decision = decide(provider, claims)
        if decision.refused:
            raise SignInRefused(decision.refused)
        user, membership, device = oidc_sign_in(
            provider=provider,
            subject=str(claims["sub"]),
            claims=claims,
            decision=decision,
            origin=origin,
        )
    except SignInRefused as refused:
        if not refused.audited:
            oidc_refused(provider=provider, reason=refused.reason, origin=origin)
        return _failure(request, provider)
    next_url = request.session.get("oidc_login_next")
    auth.login(request, user, backend=MODEL_BACKEND)
    request.session[SESSION_KEY] = membership.pk
    request.session[PROVIDER_KEY] = provider.key
    request.session[ID_TOKEN_KEY] = id_token
    if device is not None:
        otp_login(request, device)
    return redirect_next(request, next_url)


@access(PUBLIC)
@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out of Samen (audited); after a sign-in through a provider, on to its end-session
    endpoint with the id token as hint, which sends the browser back to the sign-in page. A
    provider without one keeps its session: the sign-in page says so."""
    provider_key = request.session.get(PROVIDER_KEY, "")
    id_token = request.session.get(ID_TOKEN_KEY, "")
    provider = provider_get(provider_key) if provider_key else None
    endpoint = end_session_endpoint(provider) if provider is not None and id_token else ""
    ended = LOCAL if provider is None else AT_PROVIDER if endpoint else PROVIDER_KEPT
    if request.user.is_authenticated:
        account_sign_out(actor=request.actor, provider=provider, ended=ended)  # type: ignore[attr-defined]
    auth.logout(request)  # a new, empty session: the hint is gone from Samen
    if provider is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    if not endpoint:
        messages.warning(
            request,
            _(
                "You are signed out of Samen. %(provider)s cannot be signed out from here, so "
                "you may still be signed in there: close your browser to end that session."
            )
            % {"provider": provider.display_name},
        )
        return redirect(settings.LOGOUT_REDIRECT_URL)
    messages.success(
        request,
        _("You are signed out of Samen and of %(provider)s.") % {"provider": provider.display_name},
    )
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": absolutify(request, reverse(settings.LOGOUT_REDIRECT_URL)),
            "client_id": provider.client_id,
        }
    )
    return HttpResponseRedirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{query}")
