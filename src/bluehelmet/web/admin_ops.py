"""Administrative operations behind ``bluehelmet admin``: each checks its input and says why."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bluehelmet.errors import BluehelmetError
from bluehelmet.model.access import Classification
from bluehelmet.web.accounts.models import CODE, Membership, Organisation, OrgKind, Role
from bluehelmet.web.accounts.registry import check_organisation


class AdminError(BluehelmetError):
    """An administrative request was refused."""


def create_organisation(code: str, name: str, kind: str, parent: str | None) -> Organisation:
    """Create an organisation under ``parent`` (a code) or at the top.

    The code must be in the library's organisation registry with this kind and parent, or be a
    member state's ISO 3166-1 alpha-3 code (kind ``contributor``, no parent).
    """
    try:
        CODE(code)
    except ValidationError:
        raise AdminError(f"organisation code {code!r}: use {CODE.message}") from None
    if kind not in {k.value for k in OrgKind}:
        raise AdminError(f"kind {kind!r}: use one of {', '.join(OrgKind)}")
    if Organisation.objects.filter(code=code).exists():
        raise AdminError(f"organisation {code!r} exists already")
    check_organisation(code, kind, parent)  # the library's registry is the one list
    above = None
    if parent:
        above = Organisation.objects.filter(code=parent).first()
        if above is None:
            raise AdminError(f"parent organisation {parent!r} does not exist")
    return Organisation.objects.create(code=code, name=name, kind=kind, parent=above)


def create_user(
    username: str, org: str, clearance: str, roles: list[str], password: str, totp: bool
) -> str:
    """Create ``username`` (or add a membership to it); returns the TOTP URI if enrolled."""
    level = Classification.parse(clearance)
    wrong = [r for r in roles if r not in {v.value for v in Role}]
    if wrong:
        raise AdminError(f"role(s) {', '.join(wrong)}: use {', '.join(Role)}")
    organisation = Organisation.objects.filter(code=org).first()
    if organisation is None:
        raise AdminError(
            f"organisation {org!r} does not exist; create it with 'bluehelmet admin create-org'"
        )
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise AdminError("password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)
            user.save()
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise AdminError(f"{username} is already a member of {org}")
        Membership.objects.create(
            user=user, organisation=organisation, clearance=int(level), roles=roles
        )
        if totp:
            return str(TOTPDevice.objects.create(user=user, name="cli", confirmed=True).config_url)
    return ""
