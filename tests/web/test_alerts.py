"""Community alerts: public form, sealed identity, liaison-only audited decryption, Twilio."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")
URL = "http://testserver/webhooks/twilio/sms/"


def _client(user: Any = None) -> Any:
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _demo(name: str) -> Any:
    from django.contrib.auth.models import User

    return User.objects.get(username=name)


def _post_alert(lang: str, text: str, name: str = "", phone: str = "") -> str:
    from bluehelmet.web.reports.models import Report

    response = _client().post(
        f"/alert/{lang}/",
        {
            "text": text,
            "place_name": "Tessit",
            "category": "armed_group_movement",
            "name": name,
            "phone": phone,
        },
    )
    assert response.status_code == 200, response.content[:500]
    with_text = Report.objects.using("owner").filter(description=text)
    assert with_text.count() == 1
    return str(with_text.get().uid)


def test_twilio_signature_matches_twilio_documentation() -> None:
    from bluehelmet.web.reports.intake import twilio_signature

    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    assert (
        twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
        == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    )


def test_alert_form_in_three_languages_arabic_right_to_left() -> None:
    client = _client()
    english = client.get("/alert/").content.decode()
    french = client.get("/alert/fr/").content.decode()
    arabic = client.get("/alert/ar/").content.decode()
    assert 'dir="ltr"' in english and "What happened?" in english
    assert 'lang="fr"' in french and "Que s" in french
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic and "ماذا حدث" in arabic
    # works on a basic phone browser without JavaScript: a plain form; the one script (the
    # offline queue, from this site, deferred) is optional
    assert '<form method="post" action="/alert/en/"' in english
    assert english.count("<script") == 1
    assert '<script src="/static/bluehelmet/alert-queue.js" defer></script>' in english
    assert client.get("/alert/xx/").status_code == 404


def test_identity_is_sealed_and_only_liaison_decrypts_with_audit() -> None:
    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.reports.models import Report, ReporterIdentity

    name, phone = "Aminata Traoré", "+223 70 12 34 56"
    uid = _post_alert("fr", unique("alerte"), name, phone)
    report = Report.objects.using("owner").get(uid=uid)
    assert (report.classification, report.owner) == ("confidential", "MINUSMA-CAS")
    assert {"MINUSMA-JMAC", "MINUSMA-JOC"} <= set(report.releasable_to)
    stored = ReporterIdentity.objects.using("owner").get(report=report)
    assert name.encode() not in bytes(stored.ciphertext) and b"+223" not in bytes(stored.ciphertext)
    liaison = _client(_demo("liaison"))
    assert b"reveal" in liaison.get(f"/reports/{uid}/").content
    revealed = liaison.post(f"/reports/{uid}/identity/")
    shown = revealed.content.decode()
    assert name in shown and phone in shown
    assert revealed["Cache-Control"] == "no-store"
    assert liaison.get(f"/reports/{uid}/identity/").status_code == 405
    assert (
        AccessLog.objects.filter(
            username="liaison", action="decrypt", target=f"identity:{uid}"
        ).count()
        == 1
    )
    analyst = _client(_demo("analyst"))  # another section: sees the alert, not the identity
    page = analyst.get(f"/reports/{uid}/").content.decode()
    assert "Tessit" in page and name not in page and "reveal" not in page
    assert analyst.post(f"/reports/{uid}/identity/").status_code == 403
    contributor = _client(_demo("contributor"))
    assert contributor.get(f"/reports/{uid}/").status_code == 404
    assert uid not in contributor.get("/reports/export.csv").content.decode()
    everything = "".join(str(r) for r in AccessLog.objects.values_list("detail", "target"))
    assert name not in everything and phone not in everything


def test_identity_rows_are_hidden_from_sql_without_the_liaison_role() -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import set_reader
    from bluehelmet.web.reports.models import ReporterIdentity

    uid = _post_alert("en", unique("alert"), "Someone", "+223 1")
    cas = AccessContext("MINUSMA-CAS", Classification.CONFIDENTIAL)
    with transaction.atomic():
        set_reader(cas, may_decrypt=False)
        without = ReporterIdentity.objects.filter(report__uid=uid).count()
        set_reader(cas, may_decrypt=True)
        with_role = ReporterIdentity.objects.filter(report__uid=uid).count()
    assert (without, with_role) == (0, 1)


def _twilio(params: dict[str, str], signature: str | None = None) -> Any:
    from bluehelmet.web.reports.intake import twilio_signature

    token = Path(os.environ["BLUEHELMET_TWILIO_AUTH_TOKEN_FILE"]).read_text().strip()
    return _client().post(
        "/webhooks/twilio/sms/",
        params,
        HTTP_X_TWILIO_SIGNATURE=signature or twilio_signature(token, URL, params),
    )


def test_twilio_webhook_is_verified_and_idempotent_on_message_id() -> None:
    from bluehelmet.web.reports.models import InboundMessage, Report

    sid = "SM" + unique("x").replace("-", "")
    params = {
        "MessageSid": sid,
        "AccountSid": "AC123",
        "From": "+22376000000",
        "To": "+22320000000",
        "Body": f"Hommes armés au marché {sid}",
    }
    assert _twilio(params).status_code == 200
    assert _twilio(params).status_code == 200  # the gateway retries: same alert, stored once
    assert Report.objects.using("owner").filter(description=params["Body"]).count() == 1
    assert InboundMessage.objects.filter(provider="twilio", message_id=sid).count() == 1
    report = Report.objects.using("owner").get(description=params["Body"])
    assert report.source_type == "community_alert" and "+22376000000" not in str(
        Report.objects.using("owner").filter(pk=report.pk).values().get()
    )
    forged = {**params, "MessageSid": sid + "b", "Body": "forged"}
    assert _twilio(forged, signature="AAAA").status_code == 403
    assert not Report.objects.using("owner").filter(description="forged").exists()


def test_alert_form_is_rate_limited() -> None:
    from django.test import override_settings

    with override_settings(ALERT_RATE="2/m"):
        client = _client()
        codes = [
            client.post(
                "/alert/en/",
                {"text": unique("spam"), "category": "other"},
                REMOTE_ADDR="192.0.2.77",
            ).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]


def test_staff_member_never_reads_as_a_membership_they_do_not_hold() -> None:
    user = member(unique("SEC"), 1, ["analyst"])
    client = _client(user)
    from bluehelmet.web.accounts.models import Membership

    foreign = Membership.objects.exclude(user=user).first()
    assert foreign is not None
    client.post("/membership/", {"membership": foreign.pk})
    assert client.get("/").context["reader"].organisation != foreign.organisation.code
