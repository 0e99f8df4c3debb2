"""A synthetic audit data set of any size with violations of every rule planted at known rates.

For the benchmark (10,000,000 fee lines) and the DuckDB ↔ Spark comparison (a small one). Generated in DuckDB
SQL from hashes of the row numbers and the seed, so the same (lines, seed) gives the same rows, fast enough for
tens of millions of lines, written as ``<table>.parquet`` files (``schemas.AuditData.from_parquet_dir`` or
``backends.load_duckdb_parquet`` read them). Not the demo city: this one only has to exercise the rules.

Plants (per settlement or per line, by hash draws): readmissions at the same hospital (分解住院), at another
hospital (重复住院), overlapping stays (冒名顶替), stays whose lines cover only their first days (挂床), lines
dated after discharge (跨期), prices above the cap, duplicate once-a-day lines, accompanying items with their main
item, extra lines of per-N-day items, course items beyond their course, materials without their procedure; the
restricted items (sex, age, hospital level, setting, diagnosis, per-day and per-stay limits) are drawn at a low
rate and break their restriction when the person, hospital or visit does not fit. Refunds and cancellations are
there too, so the netting is exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from dae.audit.schemas import SCHEMAS

HOSP_LVS = ("02", "05", "08", "03", "06", "09", "11", "01", "13", "14")
DISEASES = (
    "I21.000", "I21.100", "I63.900", "I63.100", "J18.900", "J44.100", "C34.900", "C16.900", "C50.900", "K80.100",
    "K35.800", "E11.900", "E11.200", "N18.500", "S72.000", "S82.200", "D05.900", "D25.900", "I50.900", "I10.x00",
    "J20.900", "K29.700", "M17.900", "M51.200", "O80.000", "R50.900", "G45.900", "H25.900", "N20.000", "Z51.100",
)  # fmt: skip

# Item code ranges: I0010–I0019 sex, I0020–I0029 age, I0030–I0044 hospital level, I0045–I0054 setting,
# I0055–I0064 diagnosis scope, I0065–I0079 per day, I0080–I0089 per stay, I0090–I0094 once a day,
# I0095/I0097 main items with accompanying I0096/I0098, I0099–I0103 per 7 days, I0104–I0108 course of 5 days,
# I0109–I0113 materials with procedures I0114–I0118, I0119–I0121 beds, I0200–I0999 ordinary items.
CATALOGUE_SQL = """
CREATE OR REPLACE TABLE catalogue AS
SELECT
  'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg,
  '项目' || CAST(k AS VARCHAR) AS name,
  DATE '2020-01-01' AS begin_date,
  CAST(NULL AS DATE) AS end_date,
  CAST(CAST(100 + hash(k, $seed, 1) % 40000 AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,6)) AS pric_uplmt_amt,
  CASE WHEN k BETWEEN 10 AND 14 THEN '2' WHEN k BETWEEN 15 AND 19 THEN '1' END AS lmt_sex,
  CAST(CASE WHEN k BETWEEN 25 AND 29 THEN 60 END AS INTEGER) AS lmt_age_min,
  CAST(CASE WHEN k BETWEEN 20 AND 24 THEN 17 END AS INTEGER) AS lmt_age_max,
  CAST(CASE WHEN k BETWEEN 65 AND 72 THEN 1 WHEN k BETWEEN 73 AND 79 THEN 2 END AS DECIMAL(16,4)) AS max_per_day,
  CAST(CASE WHEN k BETWEEN 80 AND 89 THEN 10 END AS DECIMAL(16,4)) AS max_per_stay,
  CAST(CASE WHEN k BETWEEN 30 AND 39 THEN 3 END AS INTEGER) AS min_hosp_grade,
  k BETWEEN 45 AND 49 AS inpatient_only,
  k BETWEEN 50 AND 54 AS outpatient_only,
  CASE WHEN k BETWEEN 109 AND 113 THEN '08' WHEN k BETWEEN 114 AND 118 THEN '06' WHEN k BETWEEN 119 AND 121 THEN '01'
       WHEN k BETWEEN 200 AND 499 THEN '09' WHEN k BETWEEN 500 AND 599 THEN '04' WHEN k BETWEEN 600 AND 699 THEN '03'
       WHEN k BETWEEN 700 AND 799 THEN '07' WHEN k BETWEEN 800 AND 899 THEN '08' ELSE '05' END AS med_chrgitm_type
FROM range(1000) t(k)
"""

SETTLEMENT_SQL = """
CREATE OR REPLACE TABLE setl0 AS
SELECT i,
  CAST(hash(i, $seed, 11) % $persons AS BIGINT) AS psn,
  CAST(hash(i, $seed, 12) % 60 AS INTEGER) AS hosp,
  CASE WHEN hash(i, $seed, 13) % 100 < 92 THEN '21' ELSE '14' END AS med_type,
  DATE '2026-01-01' + CAST(hash(i, $seed, 14) % 320 AS INTEGER) AS adm,
  CAST(1 + hash(i, $seed, 15) % 18 AS INTEGER) AS los,
  CAST(hash(i, $seed, 16) % $diseases AS INTEGER) AS dise,
  CAST(14 + hash(i, $seed, 17) % 33 AS INTEGER) AS n_lines,
  CAST(hash(i, $seed, 18) % 1000 AS INTEGER) AS plant,
  CAST(hash(i, $seed, 19) % 16 AS INTEGER) AS gap
FROM range($settlements) t(i);

CREATE OR REPLACE TABLE setl AS
WITH prev AS (
  SELECT *, lag(psn) OVER w AS p_psn, lag(hosp) OVER w AS p_hosp, lag(dise) OVER w AS p_dise,
         lag(adm) OVER w AS p_adm, lag(los) OVER w AS p_los, lag(med_type) OVER w AS p_med
  FROM setl0 WINDOW w AS (ORDER BY i))
SELECT i, n_lines, plant,
  CASE WHEN i > 0 AND plant < 18 THEN '21' ELSE med_type END AS med_type,
  CASE WHEN i > 0 AND plant < 18 THEN p_psn ELSE psn END AS psn,
  CASE WHEN i > 0 AND plant < 8 THEN p_hosp WHEN i > 0 AND plant < 18 THEN (p_hosp + 1 + hosp % 59) % 60
       ELSE hosp END AS hosp,
  CASE WHEN i > 0 AND plant < 14 THEN p_dise ELSE dise END AS dise,
  CASE WHEN i > 0 AND plant < 14 THEN p_adm + p_los + gap
       WHEN i > 0 AND plant < 18 THEN p_adm + CAST(p_los / 2 AS INTEGER)
       ELSE adm END AS adm,
  CASE WHEN plant BETWEEN 18 AND 24 THEN los + 8 ELSE los END AS los,
  plant BETWEEN 18 AND 24 AS idle
FROM prev
"""

LINE_SQL = """
CREATE OR REPLACE TABLE line0 AS
WITH expanded AS (SELECT s.*, CAST(unnest(range(s.n_lines)) AS INTEGER) AS j FROM setl s),
drawn AS (
  SELECT *, CAST(hash(i, j, $seed, 21) % 10000 AS INTEGER) AS d, CAST(hash(i, j, $seed, 22) % 1000 AS INTEGER) AS e,
         CAST(hash(i, j, $seed, 23) % 1000000 AS INTEGER) AS f
  FROM expanded)
SELECT i, j, psn, hosp, adm, los, med_type, d, e, f,
  CASE
    WHEN j = 0 THEN 119 + hosp % 3
    WHEN j <= los THEN 200 + f % 300
    WHEN d < 20 THEN 10 + d % 10
    WHEN d < 40 THEN 20 + d % 10
    WHEN d < 60 THEN 30 + d % 15
    WHEN d < 80 THEN 45 + d % 10
    WHEN d < 100 THEN 55 + d % 10
    WHEN d < 130 THEN 65 + d % 15
    WHEN d < 150 THEN 80 + d % 10
    WHEN d < 170 THEN 90 + d % 5
    WHEN d < 190 THEN 95 + 2 * (d % 2)
    WHEN d < 210 THEN 99 + d % 5
    WHEN d < 230 THEN 104 + d % 5
    WHEN d < 250 THEN 109 + d % 5
    ELSE 200 + f % 800
  END AS k,
  CASE
    WHEN j = 0 THEN adm
    WHEN idle THEN adm + CAST(f % GREATEST(1, los // 3) AS INTEGER)
    WHEN j <= los THEN adm + (j - 1)
    WHEN e < 3 THEN adm + los + 3 + e
    ELSE adm + CAST(f % (los + 1) AS INTEGER)
  END AS day,
  CASE WHEN j = 0 THEN los WHEN j <= los THEN 1 WHEN d BETWEEN 130 AND 149 THEN 6 + f % 6
       WHEN d BETWEEN 80 AND 129 THEN 1 + f % 4 WHEN d BETWEEN 190 AND 209 THEN 2 WHEN e >= 900 THEN 2 ELSE 1
  END AS units,
  e BETWEEN 10 AND 19 AND j > 0 AS over_cap
FROM drawn
"""

EXTRA_SQL = """
CREATE OR REPLACE TABLE line1 AS
SELECT i, j, psn, hosp, k, day, units, over_cap, f % 36000 AS second FROM line0
UNION ALL  -- duplicate once-a-day lines
SELECT i, j + 1000, psn, hosp, k, day, units, false, f % 36000 + 3600 FROM line0 WHERE k BETWEEN 90 AND 94 AND e < 300
UNION ALL  -- accompanying item with its main item
SELECT i, j + 2000, psn, hosp, k + 1, day, 1, false, f % 36000 + 60 FROM line0 WHERE k IN (95, 97) AND e < 400
UNION ALL  -- the procedure of a material (missing for a fifth of them: 串换)
SELECT i, j + 3000, psn, hosp, k + 5, day, 1, false, f % 36000 FROM line0 WHERE k BETWEEN 109 AND 113 AND e >= 200
UNION ALL  -- more of a per-7-day item on the next two days
SELECT i, j + 4000 + n, psn, hosp, k, day + n, units, false, f % 36000
FROM line0, (SELECT CAST(range AS INTEGER) AS n FROM range(1, 3)) r WHERE k BETWEEN 99 AND 103 AND e < 500
UNION ALL  -- a course item again on days 6 and 7 of the stay
SELECT i, j + 5000 + n, psn, hosp, k, adm + n, 1, false, f % 36000
FROM line0, (SELECT CAST(range AS INTEGER) AS n FROM range(5, 7)) r WHERE k BETWEEN 104 AND 108 AND e < 500 AND los > 7
"""

FINAL_SQL = """
CREATE OR REPLACE TABLE fee_line AS
WITH priced AS (
  SELECT l.*, c.med_chrgitm_type AS kind,
    CASE WHEN over_cap THEN CAST(round(c.pric_uplmt_amt * 1.1, 2) AS DECIMAL(16,6)) ELSE c.pric_uplmt_amt END AS pric
  FROM line1 l JOIN catalogue c ON c.med_list_codg = 'I' || lpad(CAST(l.k AS VARCHAR), 4, '0'))
SELECT
  'L' || CAST(j AS VARCHAR) AS feedetl_sn,
  CAST(NULL AS VARCHAR) AS init_feedetl_sn,
  'S' || lpad(CAST(i AS VARCHAR), 9, '0') AS setl_id,
  'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS mdtrt_id,
  'P' || lpad(CAST(psn AS VARCHAR), 8, '0') AS psn_no,
  'H' || lpad(CAST(hosp AS VARCHAR), 4, '0') AS fixmedins_code,
  CAST(day AS TIMESTAMP) + to_seconds(CAST(28800 + second AS BIGINT)) AS fee_ocur_time,
  'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg,
  kind AS med_chrgitm_type,
  CAST(units AS DECIMAL(16,4)) AS cnt,
  pric,
  CAST(round(CAST(units AS DECIMAL(16,4)) * pric, 2) AS DECIMAL(16,2)) AS det_item_fee_sumamt
FROM priced;

INSERT INTO fee_line  -- refunds: a few lines taken back in full
SELECT 'R' || feedetl_sn, feedetl_sn, setl_id, mdtrt_id, psn_no, fixmedins_code, fee_ocur_time + INTERVAL 1 HOUR,
       med_list_codg, med_chrgitm_type, -cnt, pric, -det_item_fee_sumamt
FROM fee_line WHERE hash(setl_id, feedetl_sn, $seed, 31) % 1000 < 4;

CREATE OR REPLACE TABLE settlement AS
WITH sums AS (SELECT setl_id, CAST(sum(det_item_fee_sumamt) AS DECIMAL(16,2)) AS total FROM fee_line GROUP BY setl_id)
SELECT
  'S' || lpad(CAST(i AS VARCHAR), 9, '0') AS setl_id,
  CAST(NULL AS VARCHAR) AS init_setl_id,
  'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS mdtrt_id,
  'P' || lpad(CAST(psn AS VARCHAR), 8, '0') AS psn_no,
  'H' || lpad(CAST(hosp AS VARCHAR), 4, '0') AS fixmedins_code,
  med_type,
  adm AS adm_date,
  adm + los AS dscg_date,
  CAST(adm + los AS TIMESTAMP) + INTERVAL 10 HOUR AS setl_time,
  list_extract($disease_list, dise + 1) AS dise_codg,
  COALESCE(s.total, CAST(0 AS DECIMAL(16,2))) AS medfee_sumamt
FROM setl LEFT JOIN sums s ON s.setl_id = 'S' || lpad(CAST(i AS VARCHAR), 9, '0');

INSERT INTO settlement  -- cancellations (2305) of a few settlements
SELECT 'C' || substr(setl_id, 2), setl_id, mdtrt_id, psn_no, fixmedins_code, med_type, adm_date, dscg_date,
       setl_time + INTERVAL 1 DAY, dise_codg, -medfee_sumamt
FROM settlement WHERE hash(setl_id, $seed, 32) % 1000 < 3;

CREATE OR REPLACE TABLE person AS
SELECT 'P' || lpad(CAST(p AS VARCHAR), 8, '0') AS psn_no,
  CASE WHEN hash(p, $seed, 41) % 2 = 0 THEN '1' ELSE '2' END AS gend,
  DATE '1935-01-01' + CAST(hash(p, $seed, 42) % 33000 AS INTEGER) AS brdy
FROM range($persons) t(p);

CREATE OR REPLACE TABLE hospital AS
SELECT 'H' || lpad(CAST(h AS VARCHAR), 4, '0') AS fixmedins_code, list_extract($hosp_lvs, h % 10 + 1) AS hosp_lv
FROM range(60) t(h);

CREATE OR REPLACE TABLE diagnosis AS
SELECT 'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS mdtrt_id,
  list_extract($disease_list, CAST(hash(i, $seed, 51) % $diseases AS INTEGER) + 1) AS dise_codg
FROM setl WHERE hash(i, $seed, 52) % 100 < 25;

CREATE OR REPLACE TABLE item_dise_prefix AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg, DATE '2020-01-01' AS begin_date,
  list_extract(['C', 'D0', 'E11', 'I2', 'J'], k % 5 + 1) AS dise_prefix
FROM range(55, 65) t(k)
UNION ALL
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0'), DATE '2020-01-01', 'I6' FROM range(55, 60) t(k);

CREATE OR REPLACE TABLE item_hosp_lv AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg, DATE '2020-01-01' AS begin_date, lv AS hosp_lv
FROM range(40, 45) t(k), (VALUES ('01'), ('02')) v(lv);

CREATE OR REPLACE TABLE once_daily_item AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg FROM range(90, 95) t(k);

CREATE OR REPLACE TABLE bundle_pair AS
SELECT * FROM (VALUES ('I0095', 'I0096'), ('I0097', 'I0098')) v(main_codg, acc_codg);

CREATE OR REPLACE TABLE period_limit AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg, 7 AS window_days, CAST(3 AS DECIMAL(16,4)) AS max_cnt
FROM range(99, 104) t(k);

CREATE OR REPLACE TABLE course_limit AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS med_list_codg, 5 AS max_days FROM range(104, 109) t(k);

CREATE OR REPLACE TABLE material_procedure AS
SELECT 'I' || lpad(CAST(k AS VARCHAR), 4, '0') AS material_codg, 'I' || lpad(CAST(k + 5 AS VARCHAR), 4, '0')
  AS procedure_codg
FROM range(109, 114) t(k);
"""

#: The tables written, as the engine's schemas name them.
TABLES = tuple(SCHEMAS)


def generate(folder: str | Path, lines: int, seed: int = 1, *, threads: int | None = None) -> dict[str, int]:
    """Write a data set of about ``lines`` fee lines (plus planted extras and refunds) to ``folder`` as
    ``<table>.parquet``; returns the row count of each table. Same (lines, seed), same files' rows."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    settlements = max(10, lines // 30)
    params = {
        "seed": seed,
        "settlements": settlements,
        "persons": max(5, settlements * 4 // 5),
        "diseases": len(DISEASES),
    }
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        run = _runner(con, params)
        run(CATALOGUE_SQL)
        run(SETTLEMENT_SQL)
        run(LINE_SQL)
        run(EXTRA_SQL)
        run(FINAL_SQL.replace("$disease_list", _list(DISEASES)).replace("$hosp_lvs", _list(HOSP_LVS)))
        counts = {}
        for name in TABLES:
            order = {"fee_line": " ORDER BY setl_id, feedetl_sn", "settlement": " ORDER BY setl_id"}.get(name, "")
            con.execute(f"COPY (SELECT * FROM {name}{order}) TO '{out / (name + '.parquet')}' (FORMAT PARQUET)")
            row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            counts[name] = int(row[0]) if row else 0
        return counts
    finally:
        con.close()


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _runner(con: duckdb.DuckDBPyConnection, params: dict[str, int]) -> Callable[[str], None]:
    def run(script: str) -> None:
        for statement in (s.strip() for s in script.split(";")):
            if not statement:
                continue
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used)

    return run
