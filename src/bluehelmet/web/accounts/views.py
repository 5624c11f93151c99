"""Login with password and TOTP, logout, password change, choice of the active membership."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from bluehelmet.web.accounts.middleware import SESSION_KEY
from bluehelmet.web.accounts.models import Membership, Role
from bluehelmet.web.audit.models import Action, record

FAILED = "Wrong user name, password or code."


class LoginForm(forms.Form):
    """User name, password and (for users with a TOTP device) the current code."""

    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput)
    otp_token = forms.CharField(max_length=8, required=False, label="Authenticator code")


@ratelimit(key="ip", rate=lambda group, request: settings.LOGIN_IP_RATE, method="POST", block=True)
@ratelimit(
    key="post:username",
    rate=lambda group, request: settings.LOGIN_USER_RATE,
    method="POST",
    block=True,
)
def login_view(request: HttpRequest) -> HttpResponse:
    """Password then TOTP; administrators must have a TOTP device."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = authenticate(request, username=data["username"], password=data["password"])
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if user is not None
            else None
        )
        is_admin = user is not None and any(
            Role.ADMINISTRATOR.value in m.roles for m in Membership.objects.filter(user=user)
        )
        if user is None or (device is not None and not device.verify_token(data["otp_token"])):
            error = FAILED
        elif device is None and is_admin:
            error = (
                "Administrators must sign in with an authenticator code; ask another "
                "administrator to enrol a TOTP device for you."
            )
        if error:
            record(request, Action.LOGIN_FAILED, data["username"])
        else:
            request.session.cycle_key()  # a new session id on every sign-in (ASVS 7.2.4)
            login(request, user)
            if device is not None:
                otp_login(request, device)
            record(request, Action.LOGIN, data["username"], totp=device is not None)
            return redirect("home")
    return render(
        request, "accounts/login.html", {"form": form, "error": error}, status=401 if error else 200
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's password: the current one is required; other sessions end."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # this session stays, the others end
        record(request, Action.PASSWORD_CHANGE, user.get_username())
        return redirect("home")
    return render(request, "accounts/password.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session."""
    logout(request)
    return redirect("login")


@login_required
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Read as another of the user's own memberships."""
    chosen = Membership.objects.filter(user=request.user, pk=request.POST.get("membership"))
    if (membership := chosen.first()) is not None:
        request.session[SESSION_KEY] = membership.pk
    return redirect("home")
