"""The platform simulator on loopback for the exchange tests, and a client tuned for tests (short time-out,
no real waiting between retries)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dae.exchange.client import PlatformClient
from dae.exchange.simulator import PlatformSimulator

TIMEOUT = 0.3


@pytest.fixture
def simulator() -> Iterator[PlatformSimulator]:
    sim = PlatformSimulator(late_by=TIMEOUT * 3)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def platform(simulator: PlatformSimulator, waits: list[float], settings: Any) -> PlatformClient:
    settings.PLATFORM = {**settings.PLATFORM, "URL": simulator.url, "TIMEOUT": TIMEOUT, "RETRIES": 2,
                         "BACKOFF": 0.01, "CIRCUIT_FAILURES": 3, "CIRCUIT_COOL_OFF": 60}
    return PlatformClient(sleep=waits.append)


PERSON = {
    "baseinfo": {"psn_no": "PA0001", "psn_cert_type": "01", "certno": "220282198001011234", "psn_name": "张三",
                 "gend": "1", "naty": "01", "brdy": "1980-01-01", "age": "46.0"},
    "insuinfo": [
        {"insutype": "310", "psn_type": "1101", "psn_insu_stas": "1", "psn_insu_date": "2010-01-01",
         "paus_insu_date": "", "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学", "balc": "1378.15"},
        {"insutype": "330", "psn_type": "1101", "psn_insu_stas": "1", "psn_insu_date": "2010-01-01",
         "paus_insu_date": "", "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学", "balc": "0"},
    ],
    "idetinfo": [],
}


@pytest.fixture(autouse=True)
def regions(db: Any) -> None:
    from tests.factories import REGION_A, REGION_B, region

    region(REGION_A)
    region(REGION_B)
