"""Sign-in rules (等保 level 3): password length, classes, user name, history, expiry, forced change; lockout and
its expiry; idle and absolute session limits; disabled users; two-factor for the named posts; recovery codes."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone, translation

from dae.accounts.models import User
from dae.core.errors import InvalidInput
from dae.core.models import Event
from dae.security import otp
from dae.security.actions import do_change_password, do_new_recovery_codes, do_reset_password, do_set_max_age
from dae.security.signals import AUTH_AT, SEEN_AT
from dae.security.testing import current_code_for, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = "Huadian-2026-x"


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def _user(post: str = "settlement", username: str = "lina") -> User:
    user = make_user(post, username=username)
    user.set_password(GOOD)
    user.save()
    return user


def _rejected(user: User, new: str, old: str = GOOD) -> str:
    with pytest.raises(InvalidInput) as error:
        do_change_password(user, old_password=old, new_password=new)
    return error.value.message


def test_a_password_shorter_than_12_characters_is_refused() -> None:
    user = _user()
    assert "至少包含 12 个字符" in _rejected(user, "Ab3$efgh1jk")  # 11 characters
    do_change_password(user, old_password=GOOD, new_password="Ab3$efgh1jkl")  # 12
    assert user.check_password("Ab3$efgh1jkl")


def test_a_password_needs_three_character_classes() -> None:
    user = _user()
    assert _rejected(user, "abcdefghijk12") == "密码须包含大写字母、小写字母、数字、符号中的至少 3 类"
    do_change_password(user, old_password=GOOD, new_password="Abcdefghijk12")
    assert user.check_password("Abcdefghijk12")


def test_the_probed_passwords_and_the_user_name_are_refused() -> None:
    user = _user(username="zhangwei")
    for weak in ("12345678", "password"):
        assert "至少包含 12 个字符" in _rejected(user, weak)
    assert "密码不能包含用户名" in _rejected(user, "Zhangwei-2026")
    assert "密码不能包含用户名" in _rejected(user, "iewgnahz-2026X")


def test_none_of_the_last_five_passwords_may_be_used_again() -> None:
    user = _user()
    passwords = [GOOD] + [f"Huadian-2026-{c}" for c in "abcd"]  # five in all, the last is current
    for old, new in zip(passwords, passwords[1:], strict=False):
        do_change_password(user, old_password=old, new_password=new)
    for used in passwords:
        assert _rejected(user, used, old=passwords[-1]) == "不能使用最近 5 次用过的密码"
    do_change_password(user, old_password=passwords[-1], new_password="Huadian-2026-e")
    do_change_password(user, old_password="Huadian-2026-e", new_password=GOOD)  # six back: allowed again
    assert user.check_password(GOOD)


def test_an_expired_password_must_be_changed_before_anything_else(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    do_set_max_age(manager, days=30, effective_from=dt.date(2020, 1, 1))
    user = _user()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=31))
    client = Client()
    assert sign_in(client, "lina", GOOD)["Location"] == "/"
    assert client.get("/")["Location"] == "/security/password/"
    assert client.get("/api/v1/me").json()["code"] == "password_change_required"
    response = client.post("/security/password/", {"old_password": GOOD, "new_password": "Huadian-2027-y",
                                                   "new_password2": "Huadian-2027-y"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=29))
    assert sign_in(Client(), "lina", "Huadian-2027-y")["Location"] == "/"


def test_a_new_account_and_a_reset_password_must_be_changed_at_sign_in(world: dict[str, Any]) -> None:
    it = world["users"]["it"]
    user = _user()
    do_reset_password(it, user, new_password="Temp-2026-abcd")
    client = Client()
    sign_in(client, "lina", "Temp-2026-abcd")
    assert client.get("/claims/settlements/")["Location"] == "/security/password/"
    assert "首次登录、密码被重置或密码已过期" in client.get("/security/password/").content.decode()
    assert Event.objects.filter(action="security.password_reset", object_id=str(user.pk), actor=it).count() == 1


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong-Password-1"})
        assert response.status_code in (200, 429)


def test_five_failures_lock_the_account_for_30_minutes_and_the_right_password_then_fails() -> None:
    _user()
    client = Client()
    _fail(client, "lina", 5)
    assert Event.objects.filter(action="security.login_failed").count() == 5
    assert Event.objects.filter(action="security.locked_out").count() == 1
    response = client.post("/accounts/login/", {"username": "lina", "password": GOOD})
    assert response.status_code == 429
    assert "已锁定 30 分钟" in response.content.decode()
    assert client.get("/").status_code == 302  # not signed in


def test_an_attempt_during_a_lockout_is_logged_and_does_not_extend_it() -> None:
    _user()
    _fail(Client(), "lina", 5)
    locked_at = AccessAttempt.objects.get(username="lina").attempt_time
    response = Client().post("/accounts/login/", {"username": "lina", "password": "wrong-Password-1"})
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="lina").attempt_time == locked_at
    assert Event.objects.filter(action="security.attempt_while_locked").count() == 1


def test_the_lockout_ends_after_30_minutes_and_the_unlock_is_logged() -> None:
    user = _user()
    _fail(Client(), "lina", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
    assert Client().post("/accounts/login/", {"username": "lina", "password": GOOD}).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    client = Client()
    assert sign_in(client, "lina", GOOD)["Location"] == "/"
    assert client.get("/").status_code == 200
    unlocked = Event.objects.get(action="security.unlocked")
    assert (unlocked.object_id, unlocked.after["how"]) == (str(user.pk), "expired")


def test_five_failures_from_one_address_lock_that_address_for_other_accounts() -> None:
    _user(username="lina")
    client = Client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _fail(client, name, 1)
    assert Client().post("/accounts/login/", {"username": "lina", "password": GOOD}).status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert sign_in(other, "lina", GOOD)["Location"] == "/"


def test_it_lifts_a_lockout_and_the_unlock_names_who(world: dict[str, Any]) -> None:
    _user()
    _fail(Client(), "lina", 5)
    it = Client()
    it.force_login(world["users"]["it"])
    attempt = AccessAttempt.objects.get(username="lina")
    assert it.post("/security/lockouts/", {"attempt": attempt.pk}).status_code == 302
    assert sign_in(Client(), "lina", GOOD)["Location"] == "/"
    assert Event.objects.get(action="security.unlocked").actor == world["users"]["it"]


def test_thirty_idle_minutes_sign_the_user_out() -> None:
    _user()
    client = Client()
    sign_in(client, "lina", GOOD)
    session = client.session
    session[SEEN_AT] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session[SEEN_AT] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/claims/settlements/")
    assert response["Location"] == "/accounts/login/?next=/claims/settlements/"
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_the_session_ends_after_eight_hours_however_active() -> None:
    _user()
    client = Client()
    sign_in(client, "lina", GOOD)
    session = client.session
    session[AUTH_AT] = int(time.time()) - 8 * 3600 - 1
    session.save()
    assert client.get("/api/v1/me").json()["code"] == "session_expired"


def test_a_disabled_user_is_signed_out_at_once() -> None:
    user = _user()
    client = Client()
    sign_in(client, "lina", GOOD)
    assert client.get("/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("post", ["manager", "finance", "it", "supervisor"])
def test_the_named_posts_must_sign_in_with_a_second_factor(post: str, world: dict[str, Any]) -> None:
    user = world["users"][post]
    user.set_password(GOOD)
    user.save()
    client = Client()
    response = client.post("/accounts/login/", {"username": post, "password": GOOD})
    assert response["Location"] == "/security/verify/?next=/"
    assert client.get("/").status_code == 302  # the password alone signs nobody in
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/security/verify/", {"code": "000000"}).status_code == 200
    assert client.get("/").status_code == 302
    response = client.post("/security/verify/", {"code": current_code_for(post)})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert Event.objects.filter(action="security.signed_in", actor=user, after__factor="totp").count() == 1


def test_a_named_post_without_an_authenticator_must_enrol_first() -> None:
    _user(post="finance", username="cw")
    otp.TOTPDevice.objects.filter(user__username="cw").delete()
    client = Client()
    assert sign_in(client, "cw", GOOD)["Location"] == "/"
    assert client.get("/fund/")["Location"] == "/security/two-factor/"
    assert client.get("/api/v1/me").json()["code"] == "two_factor_required"
    page = client.get("/security/two-factor/").content.decode()
    assert 'data-testid="totp-qr"' in page
    device = otp.totp_device(User.objects.get(username="cw"), confirmed=False)
    assert device is not None
    response = client.post("/security/two-factor/", {"action": "confirm", "code": otp.current_code(device)})
    assert 'data-testid="recovery-codes"' in response.content.decode()
    assert client.get("/api/v1/me").status_code == 200


def test_other_posts_sign_in_with_the_password_alone_and_may_enrol() -> None:
    _user()
    client = Client()
    assert sign_in(client, "lina", GOOD)["Location"] == "/"
    assert client.get("/").status_code == 200
    assert 'data-testid="totp-qr"' in client.get("/security/two-factor/").content.decode()


def test_a_recovery_code_signs_in_once() -> None:
    user = _user(post="manager", username="wm")
    client = Client()
    sign_in(client, "wm", GOOD)
    codes = do_new_recovery_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    client.logout()
    first = Client()
    first.post("/accounts/login/", {"username": "wm", "password": GOOD})
    assert first.post("/security/verify/", {"code": codes[0]})["Location"] == "/"
    assert otp.recovery_codes_left(user) == 9
    again = Client()
    again.post("/accounts/login/", {"username": "wm", "password": GOOD})
    assert again.post("/security/verify/", {"code": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302
    assert Event.objects.filter(action="security.recovery_code_used", actor=user).count() == 1


def test_wrong_codes_count_towards_the_lockout() -> None:
    _user(post="manager", username="wm")
    client = Client()
    client.post("/accounts/login/", {"username": "wm", "password": GOOD})
    for _ in range(4):
        assert client.post("/security/verify/", {"code": "123456"}).status_code == 200
    assert client.post("/security/verify/", {"code": "123456"}).status_code == 429
    assert sign_in(Client(), "wm", GOOD).status_code == 429


def test_the_security_settings_and_lockouts_are_lists_filtered_and_exported(world: dict[str, Any]) -> None:
    """安全设置 and 登录锁定 are the list component: filters, the export of the filtered rows read back (row count
    equal to the page's), 解除锁定 still in the row, the form only for the post that may write."""
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    manager = world["users"]["manager"]
    for days, day in ((60, dt.date(2025, 1, 1)), (90, dt.date(2026, 1, 1)), (30, dt.date(2026, 6, 1))):
        do_set_max_age(manager, days=days, effective_from=day)
    it = Client()
    it.force_login(world["users"]["it"])
    body = assert_read_back(it, "/security/settings/?effective_from=2026-01-01", 2)
    assert sorted(int(r[1]) for r in body) == [30, 90]
    assert 'data-testid="settings-form"' not in it.get("/security/settings/").content.decode()
    boss = Client()
    boss.force_login(manager)
    assert 'data-testid="settings-form"' in boss.get("/security/settings/").content.decode()

    now = timezone.now()
    for name, ip, failures, minutes in (("lina", "10.0.0.1", 5, 5), ("wang", "10.0.0.2", 7, 10),
                                        ("old", "10.0.0.3", 5, 40), ("few", "10.0.0.4", 2, 1)):
        attempt = AccessAttempt.objects.create(username=name, ip_address=ip, failures_since_start=failures,
                                               user_agent="t", http_accept="*/*", path_info="/accounts/login/",
                                               get_data="", post_data="")
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - dt.timedelta(minutes=minutes))
    html = it.get("/security/lockouts/").content.decode()
    lina = AccessAttempt.objects.get(username="lina")
    assert f'form="unlock-{lina.pk}"' in html and f'id="unlock-{lina.pk}"' in html
    assert_read_back(it, "/security/lockouts/?q=10.0.0", 2)  # the expired one and the one under the limit are no lockouts
    body = assert_read_back(it, "/security/lockouts/?q=wang", 1)
    assert body[0][:3] == ("wang", "10.0.0.2", "7")
    assert AccessRecord.objects.filter(why="export", object_type="list:security:lockouts").count() == 4
    assert it.post("/security/lockouts/", {"attempt": lina.pk}).status_code == 302
    assert_read_back(it, "/security/lockouts/?q=lina", 0)
