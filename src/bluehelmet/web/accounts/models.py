"""Organisations (a tree), memberships with an assigned clearance, and functional roles.

A user's clearance is a property of a membership and is set by an administrator; nobody claims
a clearance at login. A user with several memberships reads as one of them at a time (the
*active* membership, chosen in the session), so that a record released to one organisation is
never shown because the same person also belongs to another.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models

from bluehelmet.model.access import AccessContext, Classification


class OrgKind(StrEnum):
    """Kinds of organisation in the tree."""

    UN_HQ = "un_hq"
    MISSION = "mission"
    SECTION = "section"
    CONTRIBUTOR = "contributor"
    PARTNER = "partner"


class Role(StrEnum):
    """Functional roles; what each may do is in docs/platform.md."""

    REPORTER = "reporter"
    ANALYST = "analyst"
    APPROVER = "approver"
    COMMUNITY_LIAISON = "community_liaison"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    PLANNER = "planner"  # force generation: requirements, plans, publishing (issue 14)
    FORCE_GENERATION = "force_generation"  # DPO: verifies pledges, records their stages


def choices(values: type[StrEnum]) -> list[tuple[str, str]]:
    """Django choices of a string enumeration."""
    return [(v.value, v.value.replace("_", " ")) for v in values]


CLEARANCES = [(int(c), c.label) for c in Classification]
CODE = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    "letters, digits, '.', '_' or '-', starting with a letter or digit",
)


class Organisation(models.Model):
    """An organisation: its code is what records name as ``owner`` and ``releasable_to``."""

    code = models.CharField(max_length=40, unique=True, validators=[CODE])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=choices(OrgKind))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    def __str__(self) -> str:
        return self.code

    def descendants(self) -> list[Organisation]:
        """The sub-organisations of this one, depth first (not itself); one query."""
        children: dict[int | None, list[Organisation]] = {}
        for org in Organisation.objects.order_by("code"):
            children.setdefault(org.parent_id, []).append(org)

        def below(pk: int) -> list[Organisation]:
            return [o for child in children.get(pk, []) for o in (child, *below(child.pk))]

        return below(self.pk)


class Membership(models.Model):
    """A user in an organisation, with the clearance and roles an administrator assigned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    clearance = models.PositiveSmallIntegerField(
        choices=CLEARANCES, default=int(Classification.UNCLASSIFIED)
    )
    roles = ArrayField(models.CharField(max_length=30, choices=choices(Role)), default=list)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({Classification(self.clearance).label})"

    @property
    def reader(self) -> AccessContext:
        """The access context this membership reads with."""
        return AccessContext(
            self.organisation.code, Classification(self.clearance), user=self.user.get_username()
        )

    def has_role(self, role: Role) -> bool:
        """Whether the administrator gave this membership ``role``."""
        return role.value in self.roles
