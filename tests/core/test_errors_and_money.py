from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dae.core.money import D, MoneyError, ratio_split, round_fen


@pytest.mark.parametrize(("raw", "expected"), [("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"),
                                               ("2.675", "2.68"), ("1,234.565", "1234.57")])
def test_round_fen_is_half_up(raw: str, expected: str) -> None:
    assert round_fen(D(raw)) == Decimal(expected)


def test_float_is_refused() -> None:
    with pytest.raises(MoneyError, match="浮点"):
        D(1.5)  # type: ignore[arg-type]


def test_ratio_split_adds_up() -> None:
    parts = ratio_split(D("100.00"), [D(1), D(1), D(1)])
    assert parts == [D("33.34"), D("33.33"), D("33.33")] and sum(parts) == D("100.00")


@pytest.mark.django_db
def test_api_errors_have_code_message_details(client_for: Any) -> None:
    response = client_for("it").get("/api/v1/persons/")
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "当前岗位无权执行此操作", "details": None}


@pytest.mark.django_db
def test_page_error_is_shown_inline_in_chinese(client_for: Any) -> None:
    response = client_for("it").get("/enrollment/persons/")
    assert response.status_code == 403
    assert "当前岗位无权执行此操作" in response.content.decode()


@pytest.mark.django_db
def test_user_form_shows_inline_chinese_errors(client_for: Any) -> None:
    response = client_for("it").post("/accounts/users/new/", {"username": "x y", "post": "hospital"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "用户名只能包含字母" in html
    assert "该字段是必填项" in html  # the password: Django's own zh-hans message
