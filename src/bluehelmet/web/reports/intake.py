"""Community alerts: one intake for the public form and every message gateway.

A :class:`DataSource` turns a provider's webhook request into :class:`InboundAlert` objects;
:func:`receive` stores each alert once (idempotent on the provider's message id, so a gateway's
retry never duplicates an alert) as a ``confidential`` report owned by the receiving section and
released to the mission's other sections, with the reporter's identity sealed
(:mod:`bluehelmet.web.identity`). :class:`TwilioSMS` implements Twilio's form-encoded SMS webhook
and its ``X-Twilio-Signature`` check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from bluehelmet.errors import BluehelmetError
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.models import Organisation
from bluehelmet.web.identity import seal
from bluehelmet.web.policy import acting_as
from bluehelmet.web.reports.models import InboundMessage, Report, ReporterIdentity

#: Section that receives community alerts (its liaison staff may decrypt identities).
DEFAULT_RECEIVER = "MINUSMA-CAS"


class IntakeError(BluehelmetError):
    """A webhook request was refused (bad signature, missing field)."""


@dataclass(frozen=True)
class InboundAlert:
    """One alert as received, before it is stored."""

    text: str
    provider: str
    message_id: str
    place_name: str = ""
    category: str = "other"
    name: str = ""
    phone: str = ""
    language: str = "en"
    received: datetime = field(default_factory=lambda: datetime.now(UTC))


class DataSource(Protocol):
    """A provider of community alerts (SMS gateway, WhatsApp, ...)."""

    name: str

    def parse(self, request: HttpRequest) -> list[InboundAlert]:
        """Verify ``request`` came from the provider and return the alerts it carries."""
        ...


def receiver() -> Organisation:
    """The organisation that owns community alerts (``BLUEHELMET_ALERT_RECEIVER``)."""
    code = os.environ.get("BLUEHELMET_ALERT_RECEIVER", DEFAULT_RECEIVER)
    found = Organisation.objects.select_related("parent").filter(code=code).first()
    if found is None:
        raise IntakeError(
            f"the alert receiver organisation {code!r} does not exist; create it "
            "or set BLUEHELMET_ALERT_RECEIVER to an organisation code"
        )
    return found


def receive(alert: InboundAlert) -> tuple[Report, bool]:
    """Store ``alert`` once; returns the report and whether it is new.

    The report is ``confidential``, owned by the receiving section and releasable to the other
    sections of its mission; the name and phone are sealed, never stored in clear.
    """
    owner = receiver()
    mission = owner.parent
    siblings = [o.code for o in mission.descendants() if o.pk != owner.pk] if mission else []
    seen = InboundMessage.objects.filter(provider=alert.provider, message_id=alert.message_id)
    if (known := seen.first()) is not None:
        with acting_as(AccessContext(owner.code, Classification.CONFIDENTIAL)):
            return Report.objects.get(uid=known.report_uid), False
    uid = f"alert-{uuid.uuid4().hex[:12]}"
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                provider=alert.provider, message_id=alert.message_id, report_uid=uid
            )
            with acting_as(AccessContext(owner.code, Classification.CONFIDENTIAL)):
                report = Report.objects.create(
                    uid=uid,
                    time=alert.received.strftime("%Y-%m-%dT%H:%M"),
                    time_precision="hour",
                    place_name=alert.place_name[:200],
                    category=alert.category,
                    source_type="community_alert",
                    reliability="F",
                    credibility=6,
                    mission=mission.code if mission else "",
                    description=alert.text,
                    classification=Classification.CONFIDENTIAL.label,
                    owner=owner.code,
                    releasable_to=siblings,
                    basis="real",
                    source=f"community alert via {alert.provider} ({alert.language})",
                )
                if alert.name or alert.phone:
                    sealed = seal(
                        {"name": alert.name, "phone": alert.phone}, uid, settings.IDENTITY_KEY_FILE
                    )
                    ReporterIdentity.objects.create(
                        report=report,
                        key_id=sealed.key_id,
                        wrapped_key=sealed.wrapped_key,
                        ciphertext=sealed.ciphertext,
                    )
    except IntegrityError:  # the same message arrived concurrently: the other one stored it
        return receive(alert)
    return report, True


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: base64 HMAC-SHA1 of the URL and the sorted parameters."""
    payload = url + "".join(key + params[key] for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class TwilioSMS:
    """Twilio's SMS webhook (``application/x-www-form-urlencoded`` POST).

    Parameters
    ----------
    auth_token_file
        File holding the Twilio account's auth token (signature key).

    """

    auth_token_file: str
    name: str = "twilio"

    def parse(self, request: HttpRequest) -> list[InboundAlert]:
        """Check ``X-Twilio-Signature`` and read ``MessageSid``, ``From`` and ``Body``."""
        try:
            token = Path(self.auth_token_file).read_text().strip()
        except OSError as exc:
            raise IntakeError(
                f"cannot read the Twilio auth token file {self.auth_token_file!r}: {exc}"
            ) from None
        params = {key: request.POST[key] for key in request.POST}
        expected = twilio_signature(token, request.build_absolute_uri(), params)
        given = request.headers.get("X-Twilio-Signature", "")
        if not hmac.compare_digest(expected, given):
            raise IntakeError("X-Twilio-Signature does not match this request")
        missing = [key for key in ("MessageSid", "Body") if not params.get(key)]
        if missing:
            raise IntakeError(f"Twilio request without {', '.join(missing)}")
        return [
            InboundAlert(
                text=params["Body"][:2000],
                provider=self.name,
                message_id=params["MessageSid"],
                phone=params.get("From", ""),
            )
        ]
