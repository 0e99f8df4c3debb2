"""Build roster files for tests and the benchmark: valid rows, with helpers to spoil or change some."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from dae.core.idcard import make_certno
from dae.enrollment.importers import COLUMNS

HEADER = [c.name for c in COLUMNS]


def roster_row(i: int, admdvs: str = "220282", **changes: str) -> dict[str, str]:
    born = date(1950, 1, 1) + timedelta(days=(i // 500 * 7 + i % 500) % 20000)  # unique with i % 500
    gend = "1" if i % 2 else "2"
    row = {
        "psn_no": f"R{admdvs}{i:09d}", "psn_cert_type": "01",
        "certno": make_certno(admdvs, born, i % 500, gend), "psn_name": f"测试人员{i}", "gend": gend,
        "brdy": born.isoformat(), "insuplc_admdvs": admdvs, "emp_no": f"E{admdvs}{i % 1000:05d}",
        "emp_name": f"单位{i % 1000}", "insutype": "330", "psn_type": "1101", "psn_insu_stas": "1",
        "psn_insu_date": "2015-01-01", "paus_insu_date": "", "insu_end_date": "", "contrib_year": "2026",
        "contrib_stas": "1",
    }
    row.update(changes)
    return row


def to_csv(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
