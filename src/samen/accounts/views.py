import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from samen.accounts import twofactor
from samen.accounts.oidc.providers import providers_all
from samen.accounts.tokens import token_issue, token_revoke_own, token_status, tokens_of_user
from samen.core.access import AUTHENTICATED, PUBLIC, access, declare
from samen.core.actor import PURPOSE_SESSION_KEY, SESSION_KEY, active_memberships
from samen.core.register import purposes_of_role


def redirect_next(request: HttpRequest, target: str | None) -> HttpResponse:
    """Back to where the user came from, if that is a page of this site; else the home page.
    `next` comes from the request, so it may point anywhere (//evil.example, javascript:)."""
    # A path on this site only: a bare word would be a relative URL (or a URL name to redirect()).
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)  # not redirect(): it would treat a word as a URL name
    return redirect("dashboard")


class LoginForm(AuthenticationForm):
    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        # Autofocus would jump keyboard and screen-reader users past the skip link and heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict:
        # One "Sign in via <organisation>" per configured identity provider; none by default.
        return {**super().get_context_data(**kwargs), "identity_providers": providers_all()}


login_view = declare(LoginView.as_view(), PUBLIC)


@access(AUTHENTICATED)
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Act for another of one's organisations/roles; only one's own memberships are accepted."""
    wanted = request.POST.get("membership", "")
    if any(str(m.pk) == wanted for m in active_memberships(request.user)):
        request.session[SESSION_KEY] = int(wanted)
        request.session.pop(PURPOSE_SESSION_KEY, None)
    return redirect("dashboard")


@access(AUTHENTICATED)
@require_POST
def switch_purpose(request: HttpRequest) -> HttpResponse:
    """Act for another of the role's purposes; the actor accepts only the role's own purposes."""
    wanted = request.POST.get("purpose", "")
    if wanted in purposes_of_role(request.actor.role):
        request.session[PURPOSE_SESSION_KEY] = wanted
    return redirect_next(request, request.POST.get("next"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return code


@access(AUTHENTICATED)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (first time) or enter the second factor."""
    user = request.user
    if twofactor.is_verified(user):
        return redirect("dashboard")
    device = twofactor.confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = twofactor.device_for_setup(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect_next(request, request.GET.get("next"))
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


def _second_factor_first(request: HttpRequest) -> HttpResponse | None:
    # /account/ is open before the second factor (to reach it); token pages are not.
    if twofactor.requires_second_factor(request.user) and not twofactor.is_verified(request.user):
        return redirect("two-factor")
    return None


TOKEN_STATES = {
    "": _("active"),
    "revoked": _("revoked"),
    "expired": _("expired"),
    "inactive": _("no longer valid"),
    "membership": _("no longer valid"),
    "second_factor": _("no longer valid"),
}


@access(AUTHENTICATED)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: which membership, when issued, until when, last use; revoke. A POST
    issues a token for the membership the user is working in now, shown on this response only
    (not in a redirect or a message, which would keep it in the session)."""
    if (gate := _second_factor_first(request)) is not None:
        return gate
    issued = ""
    if request.method == "POST":
        membership = request.actor.membership
        if membership is None:
            raise Http404
        # The second factor of this session (verified above where the role needs one) is what
        # the token keeps checking on every request.
        device = getattr(request.user, "otp_device", None)
        _token, issued = token_issue(
            user=request.user, membership=membership, device=device, origin=request.actor.origin
        )
    rows = [(t, TOKEN_STATES[token_status(t)]) for t in tokens_of_user(user=request.user)]
    context = {"rows": rows, "issued": issued, "membership": request.actor.membership}
    status = 201 if issued else 200
    response = render(request, "accounts/api_tokens.html", context, status=status)
    if issued:
        response["Cache-Control"] = "no-store"
    return response


@access(AUTHENTICATED)
@require_POST
def api_token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    if (gate := _second_factor_first(request)) is not None:
        return gate
    if not token_revoke_own(user=request.user, token_id=token_id, origin=request.actor.origin):
        raise Http404
    messages.success(request, _("The token has been revoked."))
    return redirect("api-tokens")
