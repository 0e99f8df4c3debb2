"""The report tables bound to a backend (:class:`Bound`: DuckDB for pages and reports, PySpark for the CI equivalence
test), seen through a reader's :class:`Scope`, and the fact tables the indicators read (settlements with their
dimension columns, stays, fee lines), materialised once per binding on DuckDB.

Pure: Ibis and pyarrow only, no Django. The indicator registry built on these is :mod:`dae.reports.indicators`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.expr.types import Table

from .periods import Period

if TYPE_CHECKING:  # an indicator is run on a binding; the registry module imports this one (a cycle for types only)
    from .indicators import Indicator

INPATIENT_PREFIX = "2"  # national med_type 21 普通住院, 22 外伤住院, 24 急诊转住院 …
SPECIAL_OUTPATIENT = ("14",)  # 门诊特殊病 (dialysis and the other special diseases)
LOCAL = "local"
SEGMENT_BOUNDS_FEN = (5_000_000, 10_000_000)  # 桦甸's 0–50,000 / 50,000–100,000 / > 100,000 of the cumulative base
DRUG_TYPES = ("09", "10", "11")  # 西药费, 中药饮片费, 中成药费
FEE_CATEGORY = {  # med_chrgitm_type → report category
    "01": "bed", "02": "consult", "03": "exam", "04": "test", "05": "treatment", "06": "surgery", "07": "nursing",
    "08": "material", "09": "drug", "10": "drug", "11": "drug", "12": "consult", "13": "consult",
}

SCHEMAS: dict[str, pa.Schema] = {
    "settlements": pa.schema([
        ("setl_id", pa.string()), ("mdtrt_id", pa.string()), ("psn_no", pa.string()), ("region", pa.string()),
        ("hospital", pa.string()), ("hospital_level", pa.string()), ("med_type", pa.string()),
        ("place", pa.string()), ("dise_codg", pa.string()), ("sex", pa.string()), ("birth_year", pa.int32()),
        ("adm_date", pa.date32()), ("dscg_date", pa.date32()), ("setl_date", pa.date32()),
        ("reversal", pa.bool_()), ("cancelled", pa.bool_()),
        ("medfee_fen", pa.int64()), ("inscp_fen", pa.int64()), ("payout_fen", pa.int64()),
    ]),
    "lines": pa.schema([
        ("setl_id", pa.string()), ("chrg_type", pa.string()), ("chrg_lv", pa.string()), ("amount_fen", pa.int64()),
    ]),
    "enrolments": pa.schema([  # one row per person: the span of their current enrolment
        ("psn_no", pa.string()), ("region", pa.string()), ("sex", pa.string()), ("birth_year", pa.int32()),
        ("begin_date", pa.date32()), ("end_date", pa.date32()),
    ]),
    "deductions": pa.schema([
        ("region", pa.string()), ("hospital", pa.string()), ("hospital_level", pa.string()), ("kind", pa.string()),
        ("confirmed_on", pa.date32()), ("amount_fen", pa.int64()),
    ]),
    "legs": pa.schema([
        ("region", pa.string()), ("date", pa.date32()), ("account", pa.string()), ("reference_type", pa.string()),
        ("debit_fen", pa.int64()), ("credit_fen", pa.int64()),
    ]),
    "periods": pa.schema([("pid", pa.string()), ("start", pa.date32()), ("end", pa.date32())]),
    # the reader's scope as data, so one compiled query serves every reader: the regions whose population and
    # ledger they see, and the (region, hospital) pairs whose settlements and deductions they see
    "scope_regions": pa.schema([("region", pa.string())]),
    "scope_units": pa.schema([("region", pa.string()), ("hospital", pa.string())]),
}
#: Tables the caller fills; the others come from the data.
_CONTROL = ("periods", "scope_regions", "scope_units")

#: ICD-10 chapters by the first three characters (WHO ICD-10 2019; chapter XXII U00–U85 last).
ICD_CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("A00", "B99", "I"), ("C00", "D48", "II"), ("D50", "D89", "III"), ("E00", "E90", "IV"), ("F00", "F99", "V"),
    ("G00", "G99", "VI"), ("H00", "H59", "VII"), ("H60", "H95", "VIII"), ("I00", "I99", "IX"),
    ("J00", "J99", "X"), ("K00", "K93", "XI"), ("L00", "L99", "XII"), ("M00", "M99", "XIII"), ("N00", "N99", "XIV"),
    ("O00", "O99", "XV"), ("P00", "P96", "XVI"), ("Q00", "Q99", "XVII"), ("R00", "R99", "XVIII"),
    ("S00", "T98", "XIX"), ("V01", "Y98", "XX"), ("Z00", "Z99", "XXI"), ("U00", "U85", "XXII"),
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: ``regions`` (None = every region) and, for a hospital, its ``hospital`` only (then the
    insured population and the fund's ledger are not its figures and answer no data)."""

    regions: tuple[str, ...] | None = None
    hospital: str | None = None


#: The tables a hospital scope narrows to its hospital; the others carry no hospital and show it nothing.
_HOSPITAL_TABLES = ("settlements", "deductions")
_SQL_CACHE: dict[tuple[str, tuple[str, ...]], str] = {}


@dataclass
class Bound:
    """The tables bound to one backend (``duckdb`` or ``pyspark``), seen through a ``Scope``.

    The scope and the periods are tables, so an indicator's expression does not depend on them: on DuckDB each
    (indicator, dimensions) is compiled to SQL once per process (compiling costs more than running it) and run
    against whatever the control tables hold."""

    backend: str
    con: Any
    tables: dict[str, Table]
    scope: Scope = field(default_factory=Scope)
    _facts: dict[str, Table] = field(default_factory=dict)
    _shared: dict[str, Any] = field(default_factory=dict)  # per connection: which scope its tables hold

    def __getattr__(self, name: str) -> Table:
        try:
            table = self.tables[name]
        except KeyError:
            raise AttributeError(name) from None
        if name in _CONTROL or name == "lines":
            return table  # lines follow their (scoped) settlements through the join
        if name in _HOSPITAL_TABLES:
            return table.semi_join(self.tables["scope_units"], ["region", "hospital"])
        return table.filter(table.region.isin(self.tables["scope_regions"].region))

    def scoped(self, scope: Scope) -> Bound:
        """The same tables under another scope."""
        return Bound(self.backend, self.con, self.tables, scope, _shared=self._shared)

    def _replace(self, name: str, rows: pa.Table) -> None:
        if self.backend == "duckdb":
            _copy_in(self.con, name, rows)
            if name not in self.tables:  # the same name and schema: expressions built on it stay valid
                self.tables[name] = self.con.table(name)
        else:
            self.tables[name] = self.con.create_table(name, rows, overwrite=True)

    def apply_scope(self) -> None:
        """Fill the scope tables from ``scope`` and the data's own regions and hospitals (once per change)."""
        if self._shared.get("scope") == self.scope:
            return
        units = self.execute(self.tables["settlements"].select("region", "hospital").union(
            self.tables["deductions"].select("region", "hospital")).distinct()).to_pylist()
        regions = sorted({r["region"] for r in units} | set(self._all_regions()))
        if self.scope.regions is not None:
            regions = [r for r in regions if r in self.scope.regions]
        pairs = [(u["region"], u["hospital"]) for u in units if u["region"] in regions]
        if self.scope.hospital is not None:
            regions = []
            pairs = [(u["region"], u["hospital"]) for u in units if u["hospital"] == self.scope.hospital]
        self._replace("scope_regions", pa.table({"region": regions}, schema=SCHEMAS["scope_regions"]))
        self._replace("scope_units", pa.table({"region": [p[0] for p in pairs], "hospital": [p[1] for p in pairs]},
                                              schema=SCHEMAS["scope_units"]))
        self._shared["scope"] = self.scope

    def _all_regions(self) -> list[str]:
        out: set[str] = set()
        for name in ("enrolments", "legs"):
            out |= {r["region"] for r in self.execute(self.tables[name].select("region").distinct()).to_pylist()}
        return sorted(out)

    def execute(self, expr: Table) -> pa.Table:
        with warnings.catch_warnings():  # ibis 12 on DuckDB 2 (fetch_arrow_table), as in the audit engine
            warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
            return self.con.to_pyarrow(expr)

    def run(self, ind: Indicator, dims: tuple[str, ...]) -> pa.Table:
        if self.backend != "duckdb":
            return self.execute(ind.build(self, dims))
        key = (ind.id, dims)
        sql = _SQL_CACHE.get(key)
        if sql is None:
            sql = str(ibis.to_sql(ind.build(self, dims), dialect="duckdb"))
            _SQL_CACHE[key] = sql
        return self.con.con.sql(sql).to_arrow_table()

    def set_periods(self, periods: Sequence[Period]) -> None:
        ids = tuple(p.id for p in periods)
        if self._shared.get("periods") != ids:
            self._replace("periods", periods_table(periods))
            self._shared["periods"] = ids


def periods_table(periods: Sequence[Period]) -> pa.Table:
    unique = {p.id: p for p in periods}
    return pa.table({"pid": list(unique), "start": [p.start for p in unique.values()],
                     "end": [p.end for p in unique.values()]}, schema=SCHEMAS["periods"])


def conform(name: str, table: pa.Table | Mapping[str, Sequence[Any]]) -> pa.Table:
    """``table`` as the schema of ``name`` (columns in order, types cast; a dict of lists is accepted)."""
    schema = SCHEMAS[name]
    if not isinstance(table, pa.Table):
        table = pa.table({f.name: pa.array(list(table.get(f.name, [])), type=f.type) for f in schema})
    return pa.table({f.name: table[f.name].cast(f.type) for f in schema}, schema=schema)


def _copy_in(con: Any, name: str, rows: pa.Table) -> None:
    """``rows`` as the DuckDB table ``name`` (replacing it)."""
    con.con.register("rep_in", rows)
    con.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM rep_in')
    con.con.unregister("rep_in")


def bind_duckdb(tables: Mapping[str, pa.Table], con: Any = None) -> Bound:
    """The tables copied into a DuckDB connection (absent ones empty)."""
    con = con or ibis.duckdb.connect()
    bound: dict[str, Table] = {}
    for name in SCHEMAS:
        _copy_in(con, name, conform(name, tables[name]) if name in tables else SCHEMAS[name].empty_table())
        bound[name] = con.table(name)
    b = Bound("duckdb", con, bound)
    materialise(b)
    return b


def bind_duckdb_parquet(folder: str, con: Any = None) -> Bound:
    """Tables straight from ``<folder>/<name>.parquet`` (for data too big to pass through Python)."""
    con = con or ibis.duckdb.connect()
    bound: dict[str, Table] = {}
    for name in SCHEMAS:
        path = f"{folder}/{name}.parquet"
        if os.path.exists(path):  # the raw fee lines only feed the fact tables: read them where they lie
            kind = "VIEW" if name == "lines" else "TABLE"
            con.con.execute(f"CREATE OR REPLACE {kind} \"{name}\" AS SELECT * FROM read_parquet('{path}')")
        else:
            _copy_in(con, name, SCHEMAS[name].empty_table())
        bound[name] = con.table(name)
    b = Bound("duckdb", con, bound)
    materialise(b)
    return b


def bind_spark(tables: Mapping[str, pa.Table], spark: Any, folder: str) -> Bound:
    """The tables as Spark views, staged through Parquet (dates and integers exact). ANSI mode is set on, so a
    division by zero would raise — the expressions never divide."""
    spark.conf.set("spark.sql.ansi.enabled", "true")
    con = ibis.pyspark.connect(spark)
    bound: dict[str, Table] = {}
    for name in SCHEMAS:
        data = conform(name, tables[name]) if name in tables else SCHEMAS[name].empty_table()
        path = f"{folder}/{name}.parquet"
        pq.write_table(data, path)
        bound[name] = con.read_parquet(path, table_name=f"rep_{name}")
    return Bound("pyspark", con, bound)


# --- facts: the source tables with their dimension columns ---------------------------------------------------


def _chapter(code3: Any) -> Any:
    expr = ibis.cases(*((code3.between(lo, hi), ch) for lo, hi, ch in ICD_CHAPTERS), else_="")
    return expr


def age_band(year: Any, birth_year: Any) -> Any:
    age = (year - birth_year).cast("int32")
    band = ((age // 10) * 10).cast("int32")
    return ibis.cases((birth_year.isnull(), "?"), (age >= 90, "90+"),
                      else_=band.cast("string").concat("-").concat((band + 9).cast("string")))


def _segment(base_fen: Any) -> Any:
    low, high = SEGMENT_BOUNDS_FEN
    return ibis.cases((base_fen <= low, "0-5万"), (base_fen <= high, "5-10万"), else_="10万以上")


def _claims_all(b: Bound) -> Table:
    """Settlements with every dimension column, over all the data (no scope). ``valid`` = counts as care (neither a
    cancelled original nor its 2305 reversal); amounts are summed over every row, so a reversal nets its original
    in its own period. The cost segment is the person-year's cumulative in-scope amount (the rule set's base)
    over the whole year — the person's, whoever reads."""
    s = b.tables["settlements"]
    code3 = s.dise_codg.upper()[:3]
    t = s.mutate(
        icd3=code3, icd_chapter=_chapter(code3), month=s.setl_date.strftime("%Y-%m"),
        age_band=age_band(s.adm_date.year(), s.birth_year),
        valid=~s.reversal & ~s.cancelled, inpatient=s.med_type.startswith(INPATIENT_PREFIX),
        offsite=s.place != LOCAL, setl_year=s.setl_date.year(),
    )
    base = t.inscp_fen.sum().over(group_by=[t.psn_no, t.setl_year])
    return t.mutate(cost_segment=_segment(base))


def _stays_all(b: Bound) -> Table:
    """Inpatient stays (住院人次): the valid inpatient settlements of one ``mdtrt_id`` as one row, dated by the
    last discharge (中途结算 are one stay), with the days from admission to discharge (at least 1)."""
    c = _fact(b, "claims_f", _claims_all)
    c = c.filter(c.valid & c.inpatient)
    keys = ["mdtrt_id", "psn_no", "region", "hospital", "hospital_level", "med_type", "place", "icd3",
            "icd_chapter", "sex", "age_band"]
    g = c.group_by(keys).aggregate(adm=c.adm_date.min(), dscg=c.dscg_date.max(), medfee_fen=c.medfee_fen.sum(),
                                   payout_fen=c.payout_fen.sum(), cost_segment=c.cost_segment.max())
    days = (g.dscg.delta(g.adm, unit="day")).cast("int64")
    return g.mutate(days=ibis.greatest(days, ibis.literal(1, "int64")), offsite=g.place != LOCAL,
                    month=g.dscg.strftime("%Y-%m"))


def _lines_all(b: Bound) -> Table:
    """Fee lines summed per settlement × charge type × level, with their settlement's dimensions and date (a
    reversal's lines carry negative amounts)."""
    c = _fact(b, "claims_f", _claims_all)
    raw = b.tables["lines"]
    lines = raw.group_by(["setl_id", "chrg_type", "chrg_lv"]).aggregate(amount_fen=raw.amount_fen.sum())
    cat = lines.chrg_type.substitute(FEE_CATEGORY, else_="other")
    lv = lines.chrg_lv.substitute({"01": "甲", "02": "乙", "03": "丙"}, else_="其他")
    return lines.mutate(fee_category=cat, fee_level=lv, drug=lines.chrg_type.isin(DRUG_TYPES)).join(
        c.select("setl_id", "setl_date", "region", "hospital", "hospital_level", "med_type", "place", "icd3",
                 "icd_chapter", "sex", "age_band", "cost_segment", "month"), "setl_id")


def _line_sums_all(b: Bound) -> Table:
    """One row per settlement: its fee lines' total, drug, 甲, 乙 and 丙 amounts (the shares need no long table),
    summed straight from the raw lines in one pass."""
    raw = b.tables["lines"]
    amount = raw.amount_fen
    g = raw.group_by("setl_id").aggregate(
        amount_fen=amount.sum(), drug_fen=raw.chrg_type.isin(DRUG_TYPES).ifelse(amount, 0).sum(),
        a_fen=(raw.chrg_lv == "01").ifelse(amount, 0).sum(), b_fen=(raw.chrg_lv == "02").ifelse(amount, 0).sum(),
        c_fen=(raw.chrg_lv == "03").ifelse(amount, 0).sum())
    c = _fact(b, "claims_f", _claims_all)
    return g.join(c.select("setl_id", "setl_date", "region", "hospital", "hospital_level", "med_type", "place",
                           "icd3", "icd_chapter", "sex", "age_band", "cost_segment", "month"), "setl_id")


_FACTS: dict[str, Callable[[Bound], Table]] = {"claims_f": _claims_all, "stays_f": _stays_all,
                                               "lines_f": _lines_all, "line_sums_f": _line_sums_all}


def _fact(b: Bound, name: str, build: Callable[[Bound], Table]) -> Table:
    """A fact table: materialised in DuckDB when the data was bound (``materialise``), else the expression."""
    return b.tables[name] if name in b.tables else build(b)


def materialise(b: Bound) -> None:
    """Compute the fact tables once into DuckDB (claims with their dimensions, stays, fee lines by settlement ×
    type × level): every indicator then reads them instead of deriving them again."""
    for name, build in _FACTS.items():
        sql = str(ibis.to_sql(build(b), dialect="duckdb"))
        kind = "VIEW" if name == "lines_f" else "TABLE"  # the long fee lines only for a pivot by fee category
        b.con.con.execute(f'CREATE OR REPLACE {kind} "{name}" AS {sql}')
        b.tables[name] = b.con.table(name)


def _in_scope(b: Bound, t: Table) -> Table:
    return t.semi_join(b.tables["scope_units"], ["region", "hospital"])


def claims(b: Bound) -> Table:
    return _in_scope(b, _fact(b, "claims_f", _claims_all))


def stays(b: Bound) -> Table:
    return _in_scope(b, _fact(b, "stays_f", _stays_all))


def fee_lines(b: Bound) -> Table:
    return _in_scope(b, _fact(b, "lines_f", _lines_all))


def line_sums(b: Bound) -> Table:
    return _in_scope(b, _fact(b, "line_sums_f", _line_sums_all))


def insured(b: Bound) -> Table:
    """Enrolment spans with the period end's sex and age band."""
    return b.enrolments
