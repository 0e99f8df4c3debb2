"""Employers and insured persons of the demo city, with their 大额 enrolment.

Ages and person types follow the retirement rules (men retire at 60; women at 50 or 55), so a person's
``psn_type`` always agrees with their age: men under 60 and women under 50 are in work (1101), men from 60 and
women from 55 are retired (1201), women of 50–54 may be either.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dae.core.idcard import make_certno
from dae.demo import vocab
from dae.demo.city import INSUTYPE_LARGE_EXPENSE, Person, Unit
from dae.demo.draws import Weighted, draw_int
from dae.demo.names import NameMaker, unit_names

PSN_TYPE_WORKING = "1101"
PSN_TYPE_RETIRED = "1201"
STAS_NORMAL = "1"
STAS_PAUSED = "2"
STAS_ENDED = "4"

PERSONS_PER_UNIT = 50
RETIRED_SHARE = 0.35
PAUSED_SHARE = 0.01
ENDED_SHARE = 0.005
NEW_ENROLMENT_SHARE = 0.03
SCHEME_START = date(2001, 1, 1)  # the city's 大额 scheme began here; nobody is enrolled earlier


@dataclass(frozen=True, slots=True)
class Population:
    units: tuple[Unit, ...]
    persons: tuple[Person, ...]


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def build_units(rng: random.Random, persons: int) -> tuple[Unit, ...]:
    total = max(20, round(persons / PERSONS_PER_UNIT))
    units: list[Unit] = []
    for admdvs, _name in vocab.REGIONS:
        count = max(10, round(total * vocab.REGION_SHARE[admdvs]))
        for n, emp_name in enumerate(unit_names(rng, admdvs, count), start=1):
            units.append(Unit(emp_no=f"{admdvs}{n:08d}", emp_name=emp_name, admdvs=admdvs))
    return tuple(units)


def _draw_age_and_type(rng: random.Random, gend: str) -> tuple[int, str]:
    if rng.random() < RETIRED_SHARE:
        if gend == "1":
            youngest = 60
        else:
            youngest = 50 if rng.random() < 0.4 else 55
        return min(95, youngest + int(rng.expovariate(1 / 11))), PSN_TYPE_RETIRED
    oldest = 59 if gend == "1" else 54
    # Working ages lean to the forties and fifties (an ageing north-eastern workforce).
    return min(oldest, int(rng.triangular(18, oldest + 1, 46))), PSN_TYPE_WORKING


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=draw_int(rng, 0, max(0, (last - first).days)))


def _cert_address(rng: random.Random, admdvs: str) -> str:
    return admdvs if rng.random() < 0.85 else rng.choice(vocab.CERT_ADDRESS_OTHER)


def build_persons(rng: random.Random, names: NameMaker, units: tuple[Unit, ...], count: int, year: int) -> tuple[
    Person, ...
]:
    jan1 = date(year, 1, 1)
    dec31 = date(year, 12, 31)
    naty = Weighted([code for code, _ in vocab.NATY_WEIGHTS], [weight for _, weight in vocab.NATY_WEIGHTS])
    first_region, second_region = (admdvs for admdvs, _ in vocab.REGIONS)
    first_share = vocab.REGION_SHARE[first_region]
    employer: dict[str, Weighted[Unit]] = {}
    for admdvs, _name in vocab.REGIONS:
        region_units = [u for u in units if u.admdvs == admdvs]
        # Employer sizes are heavy-tailed: a few large agencies and firms, many small ones.
        employer[admdvs] = Weighted(region_units, [rng.paretovariate(1.1) for _ in region_units])
    used_certnos: set[str] = set()
    persons: list[Person] = []
    for serial in range(1, count + 1):
        admdvs = first_region if rng.random() < first_share else second_region
        gend = "1" if rng.random() < 0.52 else "2"
        age, psn_type = _draw_age_and_type(rng, gend)
        # Born so that the age on 1 January of the year is ``age``.
        brdy = _random_day(rng, date(year - age - 1, 1, 2), date(year - age, 1, 1))
        certno = ""
        while not certno or certno in used_certnos:
            certno = make_certno(_cert_address(rng, admdvs), brdy, draw_int(rng, 1, 499), gend)
        used_certnos.add(certno)
        unit = employer[admdvs](rng)
        adult = date(brdy.year + 18, brdy.month, 28 if (brdy.month, brdy.day) == (2, 29) else brdy.day)
        first_possible = max(SCHEME_START, adult)
        if psn_type == PSN_TYPE_WORKING and rng.random() < NEW_ENROLMENT_SHARE:
            start = _random_day(rng, max(jan1, first_possible), date(year, 11, 30))
        else:
            start = _random_day(rng, first_possible, date(year - 1, 12, 31))
        stas, paused, ended = STAS_NORMAL, None, None
        draw = rng.random()
        if draw < PAUSED_SHARE and psn_type == PSN_TYPE_WORKING:
            stas, paused = STAS_PAUSED, _random_day(rng, max(jan1, start + timedelta(days=30)), dec31)
        elif draw > 1 - ENDED_SHARE:
            stas, ended = STAS_ENDED, _random_day(rng, max(jan1, start + timedelta(days=30)), dec31)
        if (paused or ended or dec31) > dec31:
            stas, paused, ended = STAS_NORMAL, None, None
        persons.append(
            Person(
                psn_no=f"{admdvs}{serial:011d}",
                psn_cert_type="01",
                certno=certno,
                psn_name=names.full_name(rng, gend, age),
                gend=gend,
                naty=naty(rng),
                brdy=brdy,
                admdvs=admdvs,
                emp_no=unit.emp_no,
                psn_type=psn_type,
                insutype=INSUTYPE_LARGE_EXPENSE,
                psn_insu_stas=stas,
                psn_insu_date=start,
                paus_insu_date=paused,
                insu_end_date=ended,
            )
        )
    return tuple(persons)
