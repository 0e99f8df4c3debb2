"""API tokens for hospitals' systems: a bearer token with an expiry and a scope, never a password."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dae.core.errors import InvalidInput
from dae.core.models import Event
from dae.security.actions import do_issue_token, do_revoke_token
from dae.security.models import ApiToken

pytestmark = pytest.mark.django_db


def _issue(world: dict[str, Any], scopes: list[str], days: int = 30) -> tuple[ApiToken, str]:
    return do_issue_token(world["users"]["it"], world["users"]["hospital"], name="HIS", scopes=scopes, days=days)


def _get(raw: str, path: str) -> Any:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_reaches_the_routes_of_its_scope_only(world: dict[str, Any]) -> None:
    token, raw = _issue(world, ["declare"])
    assert _get(raw, "/api/v1/declarations/").status_code == 200
    assert _get(raw, "/api/v1/settlements/").json()["count"] == 1  # the hospital's own settlement
    refused = _get(raw, "/api/v1/hospitals/")
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")
    assert raw not in str(ApiToken.objects.values_list("digest", flat=True)[0])
    assert Event.objects.filter(action="security.token_issued", object_id=str(token.pk)).count() == 1


def test_a_token_still_obeys_the_accounts_post(world: dict[str, Any]) -> None:
    _token, raw = _issue(world, ["statements"])
    assert _get(raw, "/api/v1/statements").status_code == 200
    build = Client().post("/api/v1/statements/build", {}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (build.status_code, build.json()["code"]) == (403, "permission_denied")  # in scope, not the post's


def test_an_expired_or_revoked_token_is_refused(world: dict[str, Any]) -> None:
    token, raw = _issue(world, ["me"])
    assert _get(raw, "/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = _get(raw, "/api/v1/me")
    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
    token2, raw2 = _issue(world, ["me"])
    do_revoke_token(world["users"]["it"], token2)
    assert _get(raw2, "/api/v1/me").json()["code"] == "token_invalid"
    assert _get("dae_00000000_forged", "/api/v1/me").status_code == 401


def test_a_token_of_a_disabled_account_is_refused(world: dict[str, Any]) -> None:
    _token, raw = _issue(world, ["me"])
    hospital = world["users"]["hospital"]
    hospital.is_active = False
    hospital.save()
    assert _get(raw, "/api/v1/me").json()["code"] == "token_invalid"


def test_passwords_are_not_accepted_by_the_api(world: dict[str, Any]) -> None:
    basic = base64.b64encode(b"hospital:pw-123456").decode()
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401


def test_tokens_have_a_bounded_expiry_and_go_only_to_hospital_accounts(world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        _issue(world, ["me"], days=400)
    with pytest.raises(InvalidInput):
        _issue(world, ["everything"])
    with pytest.raises(InvalidInput):
        do_issue_token(world["users"]["it"], world["users"]["manager"], name="x", scopes=["me"], days=5)


def test_it_issues_a_token_on_the_page_and_sees_the_secret_once(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["it"])
    page = client.post("/security/tokens/new/", {"user": world["users"]["hospital"].pk, "name": "HIS 接口",
                                                 "scopes": ["declare", "audit"], "days": 90}).content.decode()
    assert 'data-testid="token-secret"' in page
    token = ApiToken.objects.get()
    assert (token.scopes, round((token.expires_at - token.created_at).total_seconds() / 86400)) == (
        ["audit", "declare"], 90)
