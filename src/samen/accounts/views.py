from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from samen.sharing.access import AUTHENTICATED, PUBLIC, access, declare
from samen.sharing.actor import SESSION_KEY, active_memberships


class LoginForm(AuthenticationForm):
    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        # Autofocus would jump keyboard and screen-reader users past the skip link and heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = declare(LoginView.as_view(), PUBLIC)
logout_view = declare(auth_views.LogoutView.as_view(), PUBLIC)


@access(AUTHENTICATED)
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Act for another of one's organisations/roles; only one's own memberships are accepted."""
    wanted = request.POST.get("membership", "")
    if any(str(m.pk) == wanted for m in active_memberships(request.user)):
        request.session[SESSION_KEY] = int(wanted)
    return redirect("dashboard")
