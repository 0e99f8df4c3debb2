"""Hand-written DuckDB SQL for five audit rules of different kinds, the yardstick of ``bench/audit.py --reference``.

Written straight from the rule definitions (``docs/audit-rules.md``) with the default parameters, over the same
loaded tables as the engine (``fee_line``, ``settlement``, ``person``, ``catalogue``, ``once_daily_item``): a
duplicate-charge rule (R01), a catalogue restriction (R06), a price rule (R11) and two stay rules (R13, R14). The
netting of refunds and the dropping of cancelled settlements is done the plain way: a table of valid settlements
and a table of refund totals, then a ``net`` CTE over the lines in each rule.

Each query returns the engine's long shape without the explanation text (``rule_id``, ``finding_key``,
``setl_id``, ``psn_no``, ``fixmedins_code``, ``amount_at_issue``, ``ev_setl_id``, ``ev_feedetl_sn``,
``ev_role``); the benchmark compares findings and evidence on these columns.
"""

from __future__ import annotations

PREPARE = [
    """CREATE OR REPLACE TEMP TABLE ref_valid AS
       SELECT setl_id FROM settlement WHERE coalesce(init_setl_id, '') = ''
       AND setl_id NOT IN (SELECT init_setl_id FROM settlement WHERE coalesce(init_setl_id, '') <> '')""",
    """CREATE OR REPLACE TEMP TABLE ref_refunds AS
       SELECT f.mdtrt_id AS r_mdtrt_id, f.init_feedetl_sn AS r_sn, sum(f.cnt) AS r_cnt,
              sum(f.det_item_fee_sumamt) AS r_amount
       FROM fee_line f SEMI JOIN ref_valid v ON f.setl_id = v.setl_id
       WHERE f.cnt < 0 AND coalesce(f.init_feedetl_sn, '') <> ''
       GROUP BY ALL""",
    """CREATE OR REPLACE TEMP TABLE ref_stays AS
       WITH v AS (SELECT s.* FROM settlement s SEMI JOIN ref_valid USING (setl_id)),
       last AS (SELECT mdtrt_id, setl_id, psn_no, fixmedins_code, med_type, coalesce(dise_codg, '') AS dise_codg
                FROM v QUALIFY row_number() OVER (PARTITION BY mdtrt_id ORDER BY setl_time DESC, setl_id DESC) = 1),
       span AS (SELECT mdtrt_id, min(adm_date) AS adm_date, max(dscg_date) AS dscg_date,
                       CAST(sum(medfee_sumamt) AS DECIMAL(16,2)) AS medfee_sumamt FROM v GROUP BY mdtrt_id)
       SELECT last.*, (med_type LIKE '2%' OR med_type LIKE '52%') AS inpatient, adm_date, dscg_date, medfee_sumamt
       FROM last JOIN span USING (mdtrt_id)""",
]

NET = """net AS (
  SELECT f.setl_id, f.mdtrt_id, f.psn_no, f.fixmedins_code, f.feedetl_sn, f.fee_ocur_time, f.med_list_codg,
         f.med_chrgitm_type, f.pric, CAST(f.fee_ocur_time AS DATE) AS fee_day,
         CAST(f.cnt + coalesce(r.r_cnt, 0) AS DECIMAL(16,4)) AS cnt,
         CAST(f.det_item_fee_sumamt + coalesce(r.r_amount, 0) AS DECIMAL(16,2)) AS amount
  FROM fee_line f SEMI JOIN ref_valid v ON f.setl_id = v.setl_id
  LEFT JOIN ref_refunds r ON f.mdtrt_id = r.r_mdtrt_id AND f.feedetl_sn = r.r_sn
  WHERE f.cnt > 0 AND f.cnt + coalesce(r.r_cnt, 0) > 0)"""

WHO = "JOIN settlement s ON s.setl_id = x.setl_id"
OUT = ("x.rule_id, x.finding_key, x.setl_id, s.psn_no, s.fixmedins_code, CAST(x.amount AS DECIMAL(16,2)) AS "
       "amount_at_issue, x.ev_setl_id, x.ev_feedetl_sn, x.ev_role")

RULES: dict[str, str] = {
    # 重复收费（同日同项目）: two or more lines of a once-a-day item on one day of a visit.
    "R01_DUP_SAME_DAY": f"""
WITH {NET},
l AS (SELECT * FROM net WHERE med_list_codg IN (SELECT med_list_codg FROM once_daily_item)),
w AS (SELECT *, count(*) OVER g AS n,
             row_number() OVER (g ORDER BY fee_ocur_time, setl_id, feedetl_sn) = 1 AS first
      FROM l WINDOW g AS (PARTITION BY mdtrt_id, med_list_codg, fee_day)),
d AS (SELECT *, sum(CASE WHEN first THEN 0 ELSE amount END) OVER g AS total,
             min(CASE WHEN first THEN NULL ELSE setl_id END) OVER g AS setl
      FROM w WHERE n >= 2 WINDOW g AS (PARTITION BY mdtrt_id, med_list_codg, fee_day)),
x AS (SELECT 'R01_DUP_SAME_DAY' AS rule_id, mdtrt_id || '|' || med_list_codg || '|' || CAST(fee_day AS VARCHAR)
             AS finding_key, setl AS setl_id, total AS amount, setl_id AS ev_setl_id, feedetl_sn AS ev_feedetl_sn,
             CASE WHEN first THEN 'involved' ELSE 'violation' END AS ev_role FROM d)
SELECT {OUT} FROM x {WHO}""",
    # 限性别: a line of an item restricted to one sex for a person of the other.
    "R06_SEX": f"""
WITH {NET},
bad AS (SELECT net.* FROM net
        JOIN catalogue c ON c.med_list_codg = net.med_list_codg AND c.begin_date <= net.fee_day
             AND (c.end_date IS NULL OR net.fee_day < c.end_date) AND coalesce(c.lmt_sex, '') <> ''
        JOIN person p ON p.psn_no = net.psn_no
        WHERE p.gend IS NOT NULL AND p.gend <> c.lmt_sex),
x AS (SELECT 'R06_SEX' AS rule_id, setl_id || '|' || med_list_codg AS finding_key, setl_id,
             sum(amount) OVER (PARTITION BY setl_id, med_list_codg) AS amount, setl_id AS ev_setl_id,
             feedetl_sn AS ev_feedetl_sn, 'violation' AS ev_role FROM bad)
SELECT {OUT} FROM x {WHO}""",
    # 超限价: unit price above the catalogue cap; the excess times the quantity.
    "R11_PRICE_CAP": f"""
WITH {NET},
bad AS (SELECT net.*, ROUND(CAST(net.pric - c.pric_uplmt_amt AS DECIMAL(16,6)) * net.cnt, 2) AS issue FROM net
        JOIN catalogue c ON c.med_list_codg = net.med_list_codg AND c.begin_date <= net.fee_day
             AND (c.end_date IS NULL OR net.fee_day < c.end_date) AND c.pric_uplmt_amt IS NOT NULL
        WHERE net.pric > c.pric_uplmt_amt),
x AS (SELECT 'R11_PRICE_CAP' AS rule_id, setl_id || '|' || med_list_codg AS finding_key, setl_id,
             sum(issue) OVER (PARTITION BY setl_id, med_list_codg) AS amount, setl_id AS ev_setl_id,
             feedetl_sn AS ev_feedetl_sn, 'violation' AS ev_role FROM bad)
SELECT {OUT} FROM x {WHO}""",
    # 分解住院: readmitted to the same hospital within 15 days with the same 3-character diagnosis category.
    "R13_SPLIT_STAY": f"""
WITH st AS (SELECT *, upper(dise_codg)[1:3] AS grp FROM ref_stays WHERE inpatient AND dise_codg <> ''),
p AS (SELECT *, lag(dscg_date) OVER w AS prev_dscg, lag(setl_id) OVER w AS prev_setl,
             lag(mdtrt_id) OVER w AS prev_mdtrt
      FROM st WINDOW w AS (PARTITION BY psn_no, grp, fixmedins_code ORDER BY adm_date, dscg_date, mdtrt_id)),
hit AS (SELECT * FROM p WHERE prev_dscg IS NOT NULL AND date_diff('day', prev_dscg, adm_date) BETWEEN 0 AND 15),
x AS (SELECT 'R13_SPLIT_STAY' AS rule_id, mdtrt_id || '|' || prev_mdtrt AS finding_key, setl_id,
             medfee_sumamt AS amount, setl_id AS ev_setl_id, NULL AS ev_feedetl_sn, 'violation' AS ev_role FROM hit
      UNION ALL
      SELECT 'R13_SPLIT_STAY', mdtrt_id || '|' || prev_mdtrt, setl_id, medfee_sumamt, prev_setl, NULL, 'involved'
      FROM hit)
SELECT {OUT} FROM x {WHO}""",
    # 挂床住院: three or more days of a stay without a treatment, test or drug charge; idle days × bed price.
    "R14_IDLE_BED": f"""
WITH {NET},
st AS (SELECT *, date_diff('day', adm_date, dscg_date) AS los FROM ref_stays
       WHERE inpatient AND date_diff('day', adm_date, dscg_date) > 0),
act AS (SELECT DISTINCT mdtrt_id, fee_day FROM net
        WHERE med_chrgitm_type IN ('03', '04', '05', '06', '09', '10', '11')),
cnt AS (SELECT act.mdtrt_id, count(*) AS active_days FROM act JOIN st ON st.mdtrt_id = act.mdtrt_id
        AND act.fee_day >= st.adm_date AND act.fee_day < st.dscg_date GROUP BY act.mdtrt_id),
bed AS (SELECT mdtrt_id, max(pric) AS bed_pric FROM net WHERE med_chrgitm_type IN ('01') GROUP BY mdtrt_id),
idle AS (SELECT st.*, los - coalesce(active_days, 0) AS idle, coalesce(bed_pric, 0) AS bed_pric FROM st
         LEFT JOIN cnt USING (mdtrt_id) LEFT JOIN bed USING (mdtrt_id)
         WHERE los - coalesce(active_days, 0) >= 3),
x AS (SELECT 'R14_IDLE_BED' AS rule_id, mdtrt_id AS finding_key, setl_id, ROUND(idle * bed_pric, 2) AS amount,
             setl_id AS ev_setl_id, NULL AS ev_feedetl_sn, 'violation' AS ev_role FROM idle)
SELECT {OUT} FROM x {WHO}""",
}

COMPARED_FINDING = ("rule_id", "finding_key", "setl_id", "psn_no", "fixmedins_code", "amount_at_issue")
COMPARED_EVIDENCE = ("rule_id", "finding_key", "ev_setl_id", "ev_feedetl_sn", "ev_role")
