"""居民身份证号码: the check character (ISO 7064 MOD 11-2), the birth date and the sex digit."""

from __future__ import annotations

from datetime import date

import pytest

from dae.core.idcard import (
    CertnoError,
    CertnoProblem,
    check_char,
    is_valid_certno,
    make_certno,
    validate_certno,
)


def test_standard_example_with_x_check_character() -> None:
    # The example number of GB 11643-1999: a woman born 31 December 1949 in 北京市朝阳区 (110105).
    check = validate_certno("11010519491231002X")
    assert check.ok
    assert check.problem is None
    assert check.message == ""
    assert check.facts is not None
    assert check.facts.address_code == "110105"
    assert check.facts.birth_date == date(1949, 12, 31)
    assert check.facts.gend == "2"


def test_standard_example_man_with_digit_check_character() -> None:
    check = validate_certno("440524188001010014")
    assert check.ok
    assert check.facts is not None
    assert check.facts.birth_date == date(1880, 1, 1)
    assert check.facts.gend == "1"


def test_lower_case_x_is_read_as_x() -> None:
    check = validate_certno("11010519491231002x")
    assert check.ok
    assert check.facts is not None
    assert check.facts.certno == "11010519491231002X"


def test_check_character_values() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"
    with pytest.raises(CertnoError):
        check_char("1101051949123100")


@pytest.mark.parametrize(
    ("certno", "problem"),
    [
        ("110105194912310021", CertnoProblem.CHECK_DIGIT),  # should end in X
        ("440524188001010013", CertnoProblem.CHECK_DIGIT),
        ("11010519491231002", CertnoProblem.LENGTH),
        ("1101051949123100211", CertnoProblem.LENGTH),
        ("11010519491231A02X", CertnoProblem.CHARACTERS),
        ("11010519491231002Y", CertnoProblem.CHARACTERS),
        ("010105194912310025", CertnoProblem.ADDRESS),
    ],
)
def test_invalid_numbers_name_their_problem(certno: str, problem: CertnoProblem) -> None:
    check = validate_certno(certno)
    assert not check.ok
    assert check.problem is problem
    assert check.facts is None
    assert is_valid_certno(certno) is False


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "17991231"])
def test_impossible_birth_date_is_refused_even_with_a_correct_check_character(birth: str) -> None:
    first17 = f"110105{birth}002"
    check = validate_certno(first17 + check_char(first17))
    assert check.problem is CertnoProblem.BIRTH_DATE
    assert check.message == "身份证号码中的出生日期无效"


def test_birth_after_today_is_refused_when_today_is_given() -> None:
    certno = make_certno("220282", date(2030, 6, 1), 10, "1")
    assert validate_certno(certno).ok
    assert validate_certno(certno, today=date(2026, 1, 1)).problem is CertnoProblem.BIRTH_DATE


def test_made_numbers_are_valid_and_carry_birth_date_and_sex() -> None:
    made = make_certno("220282", date(1980, 5, 17), 123, "1")
    assert made == "220282198005172470"
    woman = make_certno("220281", date(1975, 2, 28), 0, "2")
    assert woman == "220281197502280009"
    for certno, born, gend in ((made, date(1980, 5, 17), "1"), (woman, date(1975, 2, 28), "2")):
        facts = validate_certno(certno).facts
        assert facts is not None
        assert (facts.birth_date, facts.gend) == (born, gend)


def test_each_sequence_gives_a_distinct_number_per_sex() -> None:
    born = date(1990, 7, 1)
    men = {make_certno("220282", born, seq, "1") for seq in range(500)}
    women = {make_certno("220282", born, seq, "2") for seq in range(500)}
    assert len(men) == 500
    assert len(women) == 500
    assert not men & women
    assert all(int(c[16]) % 2 == 1 for c in men)
    assert all(int(c[16]) % 2 == 0 for c in women)
    assert all(is_valid_certno(c) for c in men | women)
    assert any(c.endswith("X") for c in men | women)


@pytest.mark.parametrize(
    ("address", "born", "sequence", "gend"),
    [
        ("22028", date(1980, 1, 1), 1, "1"),
        ("220282", date(1980, 1, 1), 500, "1"),
        ("220282", date(1980, 1, 1), -1, "1"),
        ("220282", date(1980, 1, 1), 1, "3"),
        ("220282", date(1799, 12, 31), 1, "2"),
    ],
)
def test_make_refuses_what_cannot_form_a_number(address: str, born: date, sequence: int, gend: str) -> None:
    with pytest.raises(CertnoError):
        make_certno(address, born, sequence, gend)
