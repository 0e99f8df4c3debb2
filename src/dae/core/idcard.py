"""居民身份证号码 (18-digit resident identity card number, GB 11643-1999): check and make.

A number is: 6-digit address code (行政区划代码), 8-digit birth date ``YYYYMMDD``, 3-digit sequence whose last
digit is odd for a man and even for a woman, and a check character computed by ISO 7064 MOD 11-2 (``0``–``9`` or
``X``). Enrolment imports validate with :func:`validate_certno`; the demo city makes numbers with
:func:`make_certno`. Pure: no Django, no I/O. This module checks the form of a number, never whether a person
with that number exists, and it does not check the address code against a list of regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1800, 1, 1)  # a format check: the standard's own example is born in 1880

GEND_MALE = "1"
GEND_FEMALE = "2"


class CertnoProblem(Enum):
    """Why a number is not a valid 18-digit identity card number (stable codes for error messages)."""

    LENGTH = "certno_length"
    CHARACTERS = "certno_characters"
    ADDRESS = "certno_address"
    BIRTH_DATE = "certno_birth_date"
    CHECK_DIGIT = "certno_check_digit"


_MESSAGES = {
    CertnoProblem.LENGTH: "身份证号码应为18位",
    CertnoProblem.CHARACTERS: "身份证号码前17位应为数字，末位为数字或X",
    CertnoProblem.ADDRESS: "身份证号码的地址码无效",
    CertnoProblem.BIRTH_DATE: "身份证号码中的出生日期无效",
    CertnoProblem.CHECK_DIGIT: "身份证号码校验位错误",
}


class CertnoError(ValueError):
    """A number given to :func:`make_certno` cannot form an identity card number."""


@dataclass(frozen=True, slots=True)
class CertnoFacts:
    """What a valid number says about its holder."""

    certno: str
    address_code: str
    birth_date: date
    gend: str  # "1" male, "2" female (national gend code)


@dataclass(frozen=True, slots=True)
class CertnoCheck:
    """The result of :func:`validate_certno`: ``facts`` when valid, otherwise ``problem`` and a Chinese message."""

    facts: CertnoFacts | None
    problem: CertnoProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        return "" if self.problem is None else _MESSAGES[self.problem]


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise CertnoError(f"需要17位数字: {first17!r} (need 17 digits)")
    total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _parse_birth(text: str) -> date | None:
    try:
        born = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return born if born >= _EARLIEST_BIRTH else None


def validate_certno(certno: str, *, today: date | None = None) -> CertnoCheck:
    """Check an 18-digit number: length, characters, address code, birth date and check character.

    A lower-case ``x`` is accepted as ``X``. With ``today`` a birth date after it is refused.
    """
    text = certno.strip().upper()
    if len(text) != 18:
        return CertnoCheck(None, CertnoProblem.LENGTH)
    if not (text[:17].isdigit() and text[:17].isascii() and (text[17] == "X" or text[17] in "0123456789")):
        return CertnoCheck(None, CertnoProblem.CHARACTERS)
    if text[0] == "0" or text[2:6] == "0000":
        return CertnoCheck(None, CertnoProblem.ADDRESS)
    born = _parse_birth(text[6:14])
    if born is None or (today is not None and born > today):
        return CertnoCheck(None, CertnoProblem.BIRTH_DATE)
    if check_char(text[:17]) != text[17]:
        return CertnoCheck(None, CertnoProblem.CHECK_DIGIT)
    gend = GEND_MALE if int(text[16]) % 2 == 1 else GEND_FEMALE
    return CertnoCheck(CertnoFacts(text, text[:6], born, gend), None)


def is_valid_certno(certno: str) -> bool:
    """True when :func:`validate_certno` finds no problem."""
    return validate_certno(certno).ok


def make_certno(address_code: str, birth_date: date, sequence: int, gend: str) -> str:
    """Make a valid number from an address code, a birth date, a sequence (0–499) and the sex.

    The standard gives 500 sequence codes per sex, place and day (000–999, odd for a man, even for a woman);
    ``sequence`` picks one of them, so distinct sequences give distinct numbers.
    """
    if len(address_code) != 6 or not address_code.isdigit() or not address_code.isascii():
        raise CertnoError(f"地址码应为6位数字: {address_code!r}")
    if gend not in (GEND_MALE, GEND_FEMALE):
        raise CertnoError(f"性别代码应为1或2: {gend!r}")
    if not 0 <= sequence <= 499:
        raise CertnoError(f"顺序码应在0到499之间: {sequence}")
    if birth_date < _EARLIEST_BIRTH:
        raise CertnoError(f"出生日期过早: {birth_date}")
    # sequence 0..499 → three digits: the first two are sequence // 5, the third carries the sex parity.
    parity_base = (sequence % 5) * 2
    last = parity_base + 1 if gend == GEND_MALE else parity_base
    first17 = f"{address_code}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}{sequence // 5:02d}{last}"
    return first17 + check_char(first17)
