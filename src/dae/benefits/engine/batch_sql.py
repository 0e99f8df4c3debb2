"""The SQL of batch mode: typing the rows, checking them, and the payout as window functions.

Money is integer fen (BIGINT, HUGEINT for products) and ratios are integers scaled by 10^k, so every product and
sum is exact; a value is never a float. The rule book is written into the SQL as literals (a few CASE
expressions; every value comes from a validated rule set, never from the input), which spares DuckDB the joins.
The formulas are those of the reference engine over cumulative sums (docs/payout.md, "Batch mode");
``tests/benefits_engine/test_batch.py`` proves both give the same results. Text only: this module runs nothing
and must never import Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from dae.benefits.engine.model import ChargeLevel, DateBasis, PlaceCategory, SettleWay, SpecialDrugKind
from dae.benefits.engine.rules import RuleBook, RuleSet

AMOUNT_COLUMNS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
REQUIRED_COLUMNS = ("setl_id", "psn_no", "setl_time", "place_category", "settle_way", *AMOUNT_COLUMNS)
OPENING_AMOUNTS = ("eligible_amount", "dae_base", "paid")
OPENING_COLUMNS = ("psn_no", "policy_year", *OPENING_AMOUNTS)

_FEN_PATTERN = r"[0-9]{1,14}(\.[0-9]{1,2})?"
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL", "FLOAT4", "FLOAT8")
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT")


def is_float_type(duck_type: str) -> bool:
    return duck_type.upper() in _FLOAT_TYPES


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scaled(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


@dataclass(frozen=True, slots=True)
class RuleSql:
    """A rule book as SQL expressions over a row's version number ``v`` (0, 1, … in date order)."""

    book: RuleBook
    places: int

    @classmethod
    def of(cls, book: RuleBook) -> RuleSql:
        ratios = [s.ratio for r in book.versions for s in r.segments]
        ratios += [a for r in book.versions for a in r.place_adjustments.values()]
        return cls(book, max(0, *(-int(x.as_tuple().exponent) for x in ratios)))

    @property
    def scale(self) -> int:
        return int(10**self.places)

    @property
    def line_places(self) -> int:
        """Decimal places of the first self-pay ratios (their own scale: they multiply line amounts)."""
        ratios = [r for v in self.book.versions for r in _first_self_pay_ratios(v)]
        return max(0, *(-int(x.as_tuple().exponent) for x in ratios))

    def first_self_pay_ratio(self) -> str:
        """A line's first self-pay ratio × 10^line_places, as ``FirstSelfPayRatios.ratio_for`` chooses it."""
        places = self.line_places

        def of(rules: RuleSet) -> str:
            fsp = rules.first_self_pay
            drugs = ", ".join(_text(t) for t in sorted(fsp.drug_fee_types))
            is_drug = f"left(fee_type, 2) IN ({drugs})" if drugs else "false"
            return (
                f"CASE WHEN special = {_text(SpecialDrugKind.IN_BASIC_SCOPE.value)} "
                f"THEN {_scaled(fsp.special_drug_in_basic_scope, places)} "
                f"WHEN special = {_text(SpecialDrugKind.CLASS_B_MANAGED.value)} "
                f"THEN {_scaled(fsp.special_drug_class_b_managed, places)} "
                f"WHEN lv = {_text(ChargeLevel.CLASS_B.value)} AND {is_drug} THEN {_scaled(fsp.class_b_drugs, places)} "
                f"WHEN lv = {_text(ChargeLevel.CLASS_B.value)} THEN {_scaled(fsp.class_b_treatment_items, places)} "
                f"ELSE {_scaled(fsp.class_a, places)} END"
            )

        return self.per_version(of)

    def dialysis_eligible(self) -> str:
        def of(rules: RuleSet) -> str:
            dialysis = rules.dialysis
            place_list = ", ".join(_text(p.value) for p in sorted(dialysis.eligible_place_categories))
            way_list = ", ".join(_text(w.value) for w in sorted(dialysis.eligible_settle_ways))
            if not place_list or not way_list:
                return "false"
            return f"(place_category IN ({place_list}) AND settle_way IN ({way_list}))"

        return self.per_version(of)

    def dialysis_limit(self) -> str:
        return self.per_version(lambda r: str(_scaled(r.dialysis.per_session_limit, 2)))

    @property
    def same_maximum(self) -> bool:
        return len({r.annual_maximum for r in self.book.versions}) == 1

    def version(self, day: str) -> str:
        """``v`` of the version in force on the date expression ``day``; NULL when none is."""
        whens = []
        for v, rules in enumerate(self.book.versions):
            start = f"DATE '{rules.valid_from.isoformat()}'"
            test = (
                f"{day} >= {start}" if rules.valid_to is None else f"{day} BETWEEN {start} AND DATE '{rules.valid_to}'"
            )
            whens.append(f"WHEN {test} THEN {v}")
        return f"CASE {' '.join(whens)} END"

    def per_version(self, value: Callable[[RuleSet], str]) -> str:
        values = [value(r) for r in self.book.versions]
        if len(set(values)) == 1:
            return values[0]
        return "CASE v " + " ".join(f"WHEN {v} THEN {text}" for v, text in enumerate(values)) + " END"

    def threshold(self) -> str:
        return self.per_version(lambda r: str(_scaled(r.entry_threshold, 2)))

    def maximum(self) -> str:
        return self.per_version(lambda r: str(_scaled(r.annual_maximum, 2)))

    def version_id(self) -> str:
        return self.per_version(lambda r: _text(r.version_id))

    def adjustment(self) -> str:
        def of(rules: RuleSet) -> str:
            whens = " ".join(
                f"WHEN {_text(p.value)} THEN {_scaled(a, self.places)}" for p, a in rules.place_adjustments.items()
            )
            return f"CASE place_category {whens} END"

        return self.per_version(of)

    def raw_payout(self) -> str:
        """Σ over segments of overlap([B, B + base], segment) × max(0, ratio + adjustment), in fen × scale."""
        count = max(len(r.segments) for r in self.book.versions)
        end = "(b_before + base)"
        terms = []
        for k in range(count):
            lower = self.per_version(partial(_segment_lower, k=k))
            upper = self.per_version(partial(_segment_upper, k=k))
            ratio = self.per_version(partial(_segment_ratio, k=k, places=self.places))
            top = end if upper == "NULL" else f"least({end}, coalesce({upper}, {end}))"
            terms.append(
                f"CAST(greatest(0, {top} - greatest(b_before, {lower})) AS HUGEINT) * greatest(0, {ratio} + adj)"
            )
        return " + ".join(terms)


def _first_self_pay_ratios(rules: RuleSet) -> tuple[Decimal, ...]:
    fsp = rules.first_self_pay
    return (
        fsp.class_a,
        fsp.class_b_drugs,
        fsp.class_b_treatment_items,
        fsp.special_drug_in_basic_scope,
        fsp.special_drug_class_b_managed,
    )


# A version with fewer segments than another gets empty bands: lower = upper = 0, ratio 0.
def _segment_lower(rules: RuleSet, k: int) -> str:
    return str(_scaled(rules.segments[k].lower, 2)) if k < len(rules.segments) else "0"


def _segment_upper(rules: RuleSet, k: int) -> str:
    if k >= len(rules.segments):
        return "0"
    upper = rules.segments[k].upper
    return "NULL" if upper is None else str(_scaled(upper, 2))


def _segment_ratio(rules: RuleSet, k: int, places: int) -> str:
    return str(_scaled(rules.segments[k].ratio, places)) if k < len(rules.segments) else "0"


def fen_expression(column: str, duck_type: str, *, signed: bool = False) -> str:
    """Yuan with at most two decimals (non-negative unless ``signed``) -> BIGINT fen; anything else -> NULL
    (reported as an error)."""
    col = '"' + column.replace('"', '""') + '"'
    upper = duck_type.upper()
    if upper.startswith("DECIMAL") or upper in _INTEGER_TYPES:
        sign = "true" if signed else f"{col} >= 0"
        return (
            f"CASE WHEN {sign} AND {col} = round({col}, 2) "
            f"THEN CAST(CAST({col} AS DECIMAL(18,2)) * 100 AS BIGINT) END"
        )
    text = f"trim(CAST({col} AS VARCHAR))"
    pattern = ("-?" if signed else "") + _FEN_PATTERN
    return (
        f"CASE WHEN regexp_full_match({text}, '{pattern}') "
        f"THEN CAST(CAST({text} AS DECIMAL(18,2)) * 100 AS BIGINT) END"
    )


def basis_date(basis: DateBasis) -> str:
    return "adm_date" if basis is DateBasis.ADMISSION_DATE else "CAST(setl_time AS DATE)"


def policy_year(basis: DateBasis) -> str:
    return f"year({basis_date(basis)})"


def typed_settlements_sql(types: Mapping[str, str], *, has_lines: bool = False) -> str:
    """``typed``: one typed row per input row, whatever the rule book; bad values become NULL (see problems).

    With ``has_lines`` (a typed ``lines`` table exists) a row whose ``setl_id`` has fee lines is on the fee-line
    path: its amount columns must be empty (``amounts_given`` false) and are computed from the lines."""
    amounts = ",\n  ".join(f"{fen_expression(c, types[c])} AS {c}" for c in AMOUNT_COLUMNS)
    given = " OR ".join(f"nullif(trim(CAST({c} AS VARCHAR)), '') IS NOT NULL" for c in AMOUNT_COLUMNS)
    on_lines = (
        "trim(CAST(setl_id AS VARCHAR)) IN (SELECT trim(CAST(setl_id AS VARCHAR)) FROM raw_lines)"
        if has_lines
        else "false"
    )
    adm = "TRY_CAST(adm_date AS DATE)" if "adm_date" in types else "CAST(NULL AS DATE)"
    cancelled = "TRY_CAST(cancelled AS BOOLEAN)" if "cancelled" in types else "false"
    cancelled_given = "cancelled IS NOT NULL" if "cancelled" in types else "false"
    # ``seq``: the computation order within a person (settlement time, ties by id) and ``pk`` the person as an
    # integer, whatever the rule book, so that each book's windows partition and sort on integers.
    return f"""
CREATE TABLE typed AS
WITH t AS MATERIALIZED (
  SELECT
    row_no,
    trim(CAST(setl_id AS VARCHAR)) AS setl_id,
    trim(CAST(psn_no AS VARCHAR)) AS psn_no,
    TRY_CAST(setl_time AS TIMESTAMP) AS setl_time,
    {adm} AS adm_date,
    trim(CAST(place_category AS VARCHAR)) AS place_category,
    trim(CAST(settle_way AS VARCHAR)) AS settle_way,
    {amounts},
    coalesce({cancelled}, false) AS cancelled,
    ({cancelled_given}) AND {cancelled} IS NULL AS cancelled_invalid,
    {on_lines} AS has_lines,
    ({given}) AS amounts_given
  FROM raw)
SELECT t.*, o.seq, o.pk FROM t JOIN (
  SELECT row_no, row_number() OVER (ORDER BY psn_no, setl_time, setl_id) AS seq,
    dense_rank() OVER (ORDER BY psn_no) AS pk
  FROM t) o USING (row_no)"""


def versioned_sql(rules: RuleSql) -> str:
    """``src``: the typed rows with their version ``v`` and policy year under one rule book (a view)."""
    version_day = basis_date(rules.book.version_basis)
    return (
        f"CREATE VIEW src AS SELECT *, {rules.version(version_day)} AS v, "
        f"{policy_year(rules.book.year_basis)} AS policy_year FROM typed"
    )


def problems_sql(book: RuleBook) -> str:
    """Every (row, column, code) wrong in ``src``; the caller turns codes into sentences."""
    places = ", ".join(_text(p.value) for p in PlaceCategory)
    ways = ", ".join(_text(w.value) for w in SettleWay)
    amount_checks = "\n  ".join(
        f"UNION ALL SELECT row_no, '{c}', 'bad_amount' FROM src WHERE {c} IS NULL AND NOT has_lines"
        for c in AMOUNT_COLUMNS
    )
    needs_adm = DateBasis.ADMISSION_DATE in (book.year_basis, book.version_basis)
    adm_check = "UNION ALL SELECT row_no, 'adm_date', 'admission_date_required' FROM src WHERE adm_date IS NULL"
    version_day = basis_date(book.version_basis)
    version_column = "adm_date" if book.version_basis is DateBasis.ADMISSION_DATE else "setl_time"
    return f"""
SELECT row_no, col, code FROM (
  SELECT row_no, 'setl_id' AS col, 'empty' AS code FROM src WHERE setl_id IS NULL OR setl_id = ''
  UNION ALL SELECT row_no, 'psn_no', 'empty' FROM src WHERE psn_no IS NULL OR psn_no = ''
  UNION ALL SELECT row_no, 'setl_time', 'bad_time' FROM src WHERE setl_time IS NULL
  UNION ALL SELECT row_no, 'place_category', 'bad_place' FROM src
    WHERE place_category IS NULL OR place_category NOT IN ({places})
  UNION ALL SELECT row_no, 'settle_way', 'bad_way' FROM src WHERE settle_way IS NULL OR settle_way NOT IN ({ways})
  UNION ALL SELECT row_no, 'cancelled', 'bad_flag' FROM src WHERE cancelled_invalid
  {amount_checks}
  UNION ALL SELECT row_no, 'medfee_sumamt', 'totals_and_lines' FROM src WHERE has_lines AND amounts_given
  UNION ALL SELECT row_no, 'medfee_sumamt', 'identity_broken' FROM src
    WHERE medfee_sumamt <> fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt
  {adm_check if needs_adm else ""}
  UNION ALL SELECT row_no, 'adm_date', 'admission_after_settlement' FROM src WHERE adm_date > CAST(setl_time AS DATE)
  UNION ALL SELECT row_no, '{version_column}', 'no_ruleset_in_force' FROM src WHERE {version_day} IS NOT NULL AND v IS NULL
  UNION ALL SELECT s.row_no, 'setl_id', 'duplicate_setl_id' FROM src s JOIN (
    SELECT setl_id, min(row_no) AS first_row FROM src GROUP BY setl_id HAVING count(*) > 1) d USING (setl_id)
    WHERE s.row_no > d.first_row
) ORDER BY row_no, col"""


def typed_openings_sql(types: Mapping[str, str]) -> str:
    amounts = ",\n  ".join(f"{fen_expression(c, types[c])} AS {c}" for c in OPENING_AMOUNTS)
    return f"""
CREATE TABLE openings AS SELECT
  row_no,
  trim(CAST(psn_no AS VARCHAR)) AS psn_no,
  TRY_CAST(policy_year AS INTEGER) AS policy_year,
  {amounts}
FROM raw_openings"""


OPENING_PROBLEMS_SQL = """
SELECT row_no, col, code FROM (
  SELECT row_no, 'psn_no' AS col, 'empty' AS code FROM openings WHERE psn_no IS NULL OR psn_no = ''
  UNION ALL SELECT row_no, 'policy_year', 'bad_year' FROM openings WHERE policy_year IS NULL
  UNION ALL SELECT row_no, 'eligible_amount', 'bad_amount' FROM openings WHERE eligible_amount IS NULL
  UNION ALL SELECT row_no, 'dae_base', 'bad_amount' FROM openings WHERE dae_base IS NULL
  UNION ALL SELECT row_no, 'paid', 'bad_amount' FROM openings WHERE paid IS NULL
  UNION ALL SELECT row_no, 'dae_base', 'opening_base_above_eligible' FROM openings WHERE dae_base > eligible_amount
  UNION ALL SELECT o.row_no, 'policy_year', 'duplicate_opening' FROM openings o JOIN (
    SELECT psn_no, policy_year, min(row_no) AS first_row FROM openings GROUP BY psn_no, policy_year
    HAVING count(*) > 1) d USING (psn_no, policy_year) WHERE o.row_no > d.first_row
) ORDER BY row_no, col"""

EMPTY_OPENINGS_SQL = (
    "CREATE TABLE openings (row_no BIGINT, psn_no VARCHAR, policy_year INTEGER, "
    "eligible_amount BIGINT, dae_base BIGINT, paid BIGINT)"
)


def payout_sql(rules: RuleSql, *, has_openings: bool = True) -> str:
    """The payout of every live settlement, policy §2 steps 3–8, as window functions over person-years.

    S_before = opening S + Σ earlier E; base = max(0, S + E − max(T, S)); B_before = opening B + Σ earlier base;
    raw = Σ segments overlap × max(0, ratio + adjustment) (scaled integers); rounding half up once:
    (raw + scale/2) // scale, exact because raw ≥ 0 (DuckDB's // truncates toward zero). With one annual maximum
    M in the person-year, paid_after = max(P0, min(P0 + Σ rounded payouts, M)) equals the engine's step-by-step
    cap; person-years whose versions differ in maximum are flagged and capped in Python. E comes from the totals
    or, on the fee-line path, from ``line_priced``.
    The windows run over integers only (``pk`` the person, ``seq`` the order, the amounts); the settlement's other
    columns are joined back once, by ``seq``.
    """
    window = "PARTITION BY pk, policy_year ORDER BY seq"  # seq: by settlement time, ties by id
    lines = "src s LEFT JOIN line_priced l ON l.setl_row = s.row_no"
    opening = (
        "coalesce(o.eligible_amount, 0) AS s0, coalesce(o.dae_base, 0) AS b0, coalesce(o.paid, 0) AS p0\n"
        f"  FROM {lines} LEFT JOIN openings o ON o.psn_no = s.psn_no AND o.policy_year = s.policy_year"
        if has_openings
        else f"0 AS s0, 0 AS b0, 0 AS p0 FROM {lines}"
    )
    # E: the in-scope amount, less what the dialysis sessions do not count (all of it where not eligible)
    eligible = (
        "CASE WHEN l.setl_row IS NULL THEN s.inscp_scp_amt ELSE l.inscp - CASE WHEN "
        f"{rules.dialysis_eligible()} THEN l.session_over ELSE l.session_amount END END"
    )
    earlier = f"({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    flag = (
        "false"
        if rules.same_maximum
        else (
            "min(m_fen) OVER (PARTITION BY pk, policy_year) <> max(m_fen) OVER (PARTITION BY pk, policy_year)"
        )
    )
    return f"""
CREATE TABLE computed AS
WITH params AS (
  SELECT s.seq, s.pk, s.policy_year, s.v, {eligible} AS eligible_fen, {rules.threshold()} AS t_fen,
    {rules.maximum()} AS m_fen,
    {rules.adjustment()} AS adj, {opening}
  WHERE NOT s.cancelled),
s_cum AS (SELECT *, s0 + coalesce(sum(eligible_fen) OVER {earlier}, 0) AS s_before FROM params),
based AS (SELECT *, greatest(0, s_before + eligible_fen - greatest(t_fen, s_before)) AS base FROM s_cum),
b_cum AS (SELECT *, b0 + coalesce(sum(base) OVER {earlier}, 0) AS b_before FROM based),
rounded AS (SELECT *, CAST(({rules.raw_payout()} + {rules.scale // 2}) // {rules.scale} AS BIGINT) AS before_cap
  FROM b_cum),
capped AS (
  SELECT *, sum(before_cap) OVER ({window} ROWS UNBOUNDED PRECEDING) AS c_after, {flag} AS needs_python_cap
  FROM rounded)
SELECT p.row_no, p.setl_id, p.psn_no, c.policy_year, c.v, {rules.version_id()} AS version_id,
  p.setl_time, p.adm_date, p.place_category, p.settle_way, c.m_fen, c.p0, c.needs_python_cap, p.has_lines,
  p.medfee_sumamt, p.fulamt_ownpay_amt, p.overlmt_selfpay, p.preselfpay_amt, p.inscp_scp_amt,
  c.eligible_fen AS eligible_amount, c.base AS dae_base, c.before_cap,
  CAST(greatest(p0, least(p0 + c_after, m_fen)) - greatest(p0, least(p0 + c_after - before_cap, m_fen)) AS BIGINT)
    AS payout,
  CAST(s_before + eligible_fen AS BIGINT) AS cum_eligible,
  CAST(b_before + base AS BIGINT) AS cum_base,
  CAST(greatest(p0, least(p0 + c_after, m_fen)) AS BIGINT) AS cum_paid
FROM capped c JOIN (
  SELECT seq, row_no, setl_id, psn_no, setl_time, adm_date, place_category, settle_way, has_lines,
    medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, inscp_scp_amt FROM priced) p USING (seq)"""


LINE_COLUMNS = ("setl_id", "feedetl_sn", "det_item_fee_sumamt", "chrgitm_lv", "med_chrgitm_type")
LINE_AMOUNTS = ("det_item_fee_sumamt", "overlmt_amt")


def typed_lines_sql(types: Mapping[str, str]) -> str:
    """``lines``: one typed row per fee line (national 2301 fields); optional columns ``overlmt_amt`` (0),
    ``special_drug``, ``dialysis_session``, ``init_feedetl_sn`` (a refund line names its original); ``setl_row``
    is its settlement's row number (NULL when no settlement has its ``setl_id``). Built after ``typed`` is checked,
    so a settlement id is unique there."""

    def text(column: str) -> str:
        return f"nullif(trim(CAST({column} AS VARCHAR)), '')" if column in types else "CAST(NULL AS VARCHAR)"

    over_cap = "0"
    if "overlmt_amt" in types:
        over_cap = f"CASE WHEN {text('overlmt_amt')} IS NULL THEN 0 ELSE {fen_expression('overlmt_amt', types['overlmt_amt'], signed=True)} END"
    return f"""
CREATE TABLE lines AS SELECT l.*, t.row_no AS setl_row FROM (SELECT
  row_no,
  trim(CAST(setl_id AS VARCHAR)) AS setl_id,
  trim(CAST(feedetl_sn AS VARCHAR)) AS feedetl_sn,
  {fen_expression("det_item_fee_sumamt", types["det_item_fee_sumamt"], signed=True)} AS amount,
  {over_cap} AS over_cap,
  trim(CAST(chrgitm_lv AS VARCHAR)) AS lv,
  trim(CAST(med_chrgitm_type AS VARCHAR)) AS fee_type,
  {text("special_drug")} AS special,
  {text("dialysis_session")} AS session,
  {text("init_feedetl_sn")} AS init_sn
FROM raw_lines) l LEFT JOIN (SELECT setl_id, row_no FROM typed) t USING (setl_id)"""


def line_problems_sql() -> str:
    """Every (row, column, code) wrong in ``lines`` taken one by one, as ``checks.fee_line_errors`` finds them."""
    levels = ", ".join(_text(c.value) for c in ChargeLevel)
    specials = ", ".join(_text(k.value) for k in SpecialDrugKind)
    return f"""
SELECT row_no, col, code FROM (
  SELECT row_no, 'setl_id' AS col, 'empty' AS code FROM lines WHERE setl_id IS NULL OR setl_id = ''
  UNION ALL SELECT row_no, 'setl_id', 'line_without_settlement' FROM lines
    WHERE setl_id <> '' AND setl_row IS NULL
  UNION ALL SELECT row_no, 'feedetl_sn', 'empty' FROM lines WHERE feedetl_sn IS NULL OR feedetl_sn = ''
  UNION ALL SELECT row_no, 'med_chrgitm_type', 'empty' FROM lines WHERE fee_type IS NULL OR fee_type = ''
  UNION ALL SELECT row_no, 'chrgitm_lv', 'bad_level' FROM lines WHERE lv IS NULL OR lv NOT IN ({levels})
  UNION ALL SELECT row_no, 'special_drug', 'bad_special_drug' FROM lines
    WHERE special IS NOT NULL AND special NOT IN ({specials})
  UNION ALL SELECT row_no, 'det_item_fee_sumamt', 'bad_line_amount' FROM lines WHERE amount IS NULL
  UNION ALL SELECT row_no, 'overlmt_amt', 'bad_line_amount' FROM lines WHERE over_cap IS NULL
  UNION ALL SELECT row_no, 'det_item_fee_sumamt', 'negative_amount' FROM lines
    WHERE init_sn IS NULL AND amount < 0
  UNION ALL SELECT row_no, 'overlmt_amt', 'negative_amount' FROM lines WHERE init_sn IS NULL AND over_cap < 0
  UNION ALL SELECT row_no, 'det_item_fee_sumamt', 'refund_amount_positive' FROM lines
    WHERE init_sn IS NOT NULL AND amount > 0
  UNION ALL SELECT l.row_no, 'feedetl_sn', 'duplicate_feedetl_sn' FROM lines l JOIN (
    SELECT setl_row, feedetl_sn, min(row_no) AS first_row FROM lines GROUP BY setl_row, feedetl_sn
    HAVING count(*) > 1) d USING (setl_row, feedetl_sn) WHERE l.row_no > d.first_row
  UNION ALL SELECT r.row_no, 'init_feedetl_sn', 'refund_original_missing' FROM lines r
    WHERE r.init_sn IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM lines o WHERE o.setl_row = r.setl_row AND o.feedetl_sn = r.init_sn AND o.init_sn IS NULL)
) ORDER BY row_no, col"""


LINE_NET_PROBLEMS_SQL = """
SELECT row_no, col, code FROM (
  SELECT row_no, 'det_item_fee_sumamt' AS col, 'refund_exceeds_original' AS code FROM netted WHERE amount < 0
  UNION ALL SELECT row_no, 'overlmt_amt', 'over_cap_out_of_range' FROM netted
    WHERE amount >= 0 AND NOT (over_cap BETWEEN 0 AND amount)
) ORDER BY row_no, col"""

NO_LINES_PRICED_SQL = (
    "CREATE TABLE line_priced (setl_row BIGINT, medfee BIGINT, fulamt BIGINT, overlmt BIGINT, pre BIGINT, "
    "inscp BIGINT, session_amount BIGINT, session_over BIGINT)"
)

PRICED_VIEW_SQL = """
CREATE VIEW priced AS
SELECT s.* REPLACE (
    coalesce(l.medfee, s.medfee_sumamt) AS medfee_sumamt, coalesce(l.fulamt, s.fulamt_ownpay_amt) AS fulamt_ownpay_amt,
    coalesce(l.overlmt, s.overlmt_selfpay) AS overlmt_selfpay, coalesce(l.pre, s.preselfpay_amt) AS preselfpay_amt,
    coalesce(l.inscp, s.inscp_scp_amt) AS inscp_scp_amt)
FROM src s LEFT JOIN line_priced l ON l.setl_row = s.row_no"""
"""``priced``: every settlement with its five totals, the fee-line settlements' from ``line_priced``."""


NETTED_SQL = """
CREATE TABLE netted AS
SELECT o.row_no, o.setl_row, o.feedetl_sn AS sn, o.amount + coalesce(r.amount, 0) AS amount,
  o.over_cap + coalesce(r.over_cap, 0) AS over_cap, o.lv, o.fee_type, o.special, o.session
FROM lines o LEFT JOIN (
  SELECT setl_row, init_sn, sum(amount) AS amount, sum(over_cap) AS over_cap FROM lines WHERE init_sn IS NOT NULL
  GROUP BY setl_row, init_sn) r ON r.setl_row = o.setl_row AND r.init_sn = o.feedetl_sn
WHERE o.init_sn IS NULL"""
"""``netted``: each original fee line with its refunds netted in (amount and over-cap part), keyed by its
settlement's row number; whatever the rule book, so built once (after the lines are checked)."""


def priced_lines_sql(rules: RuleSql) -> str:
    """``line_priced``: per fee-line settlement (``setl_row``) its totals computed from its netted lines (policy §2
    step 1: 丙类 wholly self-paid, the part above the price cap self-paid, the first self-pay rounded half up per
    line) and its dialysis sessions' in-scope amount and the part of it above the per-session limit (step 2; whether
    the limit or nothing counts depends on the settlement's place and way, see ``eligible_sql``). The reference
    engine's ``lines.compute_line`` and ``settlement.dialysis_sessions`` over sets, in integer fen. Only a book
    with several versions needs each line's settlement (its version ``v``)."""
    scale = 10**rules.line_places
    class_c = _text(ChargeLevel.CLASS_C.value)
    versioned = len(rules.book.versions) > 1
    source = "netted n JOIN src s ON s.row_no = n.setl_row" if versioned else "netted n"
    version = "s.v" if versioned else "0 AS v"
    return f"""
CREATE TABLE line_priced AS
WITH parts AS (
  SELECT n.setl_row, n.session, {version}, n.lv, n.fee_type, n.special, n.amount,
    CASE WHEN n.lv = {class_c} THEN n.amount ELSE 0 END AS fulamt,
    CASE WHEN n.lv = {class_c} THEN 0 ELSE n.over_cap END AS over_cap,
    CASE WHEN n.lv = {class_c} THEN 0 ELSE n.amount - n.over_cap END AS base
  FROM {source}),
priced_lines AS (
  SELECT *, CAST((CAST(base AS HUGEINT) * ({rules.first_self_pay_ratio()}) + {scale // 2}) // {scale} AS BIGINT) AS pre
  FROM parts),
sessions AS (
  SELECT setl_row, session, any_value(v) AS v, sum(base - pre) AS amount
  FROM priced_lines WHERE session IS NOT NULL GROUP BY setl_row, session),
session_sums AS (
  SELECT setl_row, CAST(sum(amount) AS BIGINT) AS session_amount,
    CAST(sum(amount - least(amount, {rules.dialysis_limit()})) AS BIGINT) AS session_over
  FROM sessions GROUP BY setl_row)
SELECT setl_row, CAST(sum(amount) AS BIGINT) AS medfee, CAST(sum(fulamt) AS BIGINT) AS fulamt,
  CAST(sum(over_cap) AS BIGINT) AS overlmt, CAST(sum(pre) AS BIGINT) AS pre, CAST(sum(base - pre) AS BIGINT) AS inscp,
  coalesce(any_value(d.session_amount), 0) AS session_amount, coalesce(any_value(d.session_over), 0) AS session_over
FROM priced_lines LEFT JOIN session_sums d USING (setl_row) GROUP BY setl_row"""


RESULTS_VIEW_SQL = """
CREATE VIEW results AS
SELECT * FROM (
  SELECT c.row_no, c.setl_id, c.psn_no, c.policy_year, c.version_id, 'computed' AS status,
    c.medfee_sumamt, c.fulamt_ownpay_amt, c.overlmt_selfpay, c.preselfpay_amt, c.inscp_scp_amt,
    c.eligible_amount, c.dae_base, c.before_cap AS payout_before_cap,
    coalesce(f.payout, c.payout) AS payout,
    c.medfee_sumamt - coalesce(f.payout, c.payout) AS person_share,
    c.cum_eligible, c.cum_base, coalesce(f.cum_paid, c.cum_paid) AS cum_paid
  FROM computed c LEFT JOIN python_cap f USING (setl_id)
  UNION ALL
  SELECT row_no, setl_id, psn_no, policy_year, NULL, 'cancelled',
    medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, inscp_scp_amt,
    NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL
  FROM priced WHERE cancelled)"""

RESULT_COLUMNS: Sequence[str] = (
    "row_no", "setl_id", "psn_no", "policy_year", "version_id", "status",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
    "eligible_amount", "dae_base", "payout_before_cap", "payout", "person_share",
    "cum_eligible", "cum_base", "cum_paid",
)  # fmt: skip
FEN_RESULT_COLUMNS = RESULT_COLUMNS[6:]
