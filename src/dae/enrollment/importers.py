"""Roster imports (参保人员名单): CSV / Excel with documented columns, and the platform's person query 1101
output as JSON (``baseinfo`` + ``insuinfo``; only the insutype 330 row enrols).

Loading compares every row with what is stored: an equal row changes nothing; a changed person updates the
person and records an event with before/after; a changed enrolment adds a new ``Enrolment`` record (the
history); a changed contribution year updates it with an event. Rows of other regions are refused, so a
clerk can only import the roster of a region they work in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from dae.core.bulk import insert_rows
from dae.core.crypto import blind_index, decrypt
from dae.core.events import event_row, insert_events
from dae.core.idcard import validate_certno
from dae.core.inputs import BIRTH_MIN
from dae.dictionaries import codes
from dae.imports.columnar import EDGE_SPACE
from dae.imports.framework import Column, Counts, Importer, Problems, cell_text, read_json
from dae.imports.registry import register

from .models import ContributionYear, Enrolment, Person, RosterRow, Unit

NORMAL, SUSPENDED, ENDED = Enrolment.Status.NORMAL, Enrolment.Status.SUSPENDED, Enrolment.Status.ENDED

COLUMNS = (
    Column("psn_no", "人员编号", True, max_length=30, example="22028200000001"),
    Column("psn_cert_type", "证件类型", True, "code", "psn_cert_type"),
    Column("certno", "证件号码", True, max_length=50, example="22028219800101247X"),
    Column("psn_name", "姓名", True, max_length=50, example="王小明"),
    Column("gend", "性别", True, "code", "gend"),
    Column("brdy", "出生日期", True, "date", example="1980-01-01", earliest=BIRTH_MIN),
    Column("insuplc_admdvs", "参保地统筹区", True, max_length=6, example="220282"),
    Column("emp_no", "单位编号", False, max_length=30, example="E0001"),
    Column("emp_name", "单位名称", False, max_length=200, example="桦甸市示例有限公司"),
    Column("insutype", "险种类型", False, "code", "insutype", help="空白视为 330；其他险种的行忽略", example="330"),
    Column("psn_type", "人员类别", True, "code", "psn_type"),
    Column("psn_insu_stas", "参保状态", True, "code", "psn_insu_stas"),
    Column("psn_insu_date", "参保日期", True, "date"),
    Column("paus_insu_date", "暂停日期", False, "date", help="暂停参保时必填；当日起暂停"),
    Column("insu_end_date", "终止日期", False, "date", help="终止参保时填写（空白取暂停日期）；当日起终止"),
    Column("contrib_year", "缴费年度", False, "int"),
    Column("contrib_stas", "缴费状态", False, "code", "contrib_stas"),
)

# A clean row: a tuple, to keep a million of them small.
(PSN_NO, CERT_TYPE, CERTNO, NAME, GEND, BRDY, ADMDVS, EMP_NO, EMP_NAME, PSN_TYPE, STATUS, BEGIN, PAUSE, END,
 CONTRIB_YEAR, CONTRIB_STAS) = range(16)
HASH = 9  # a stored person's certno_hash (``_stored_persons``; its certno, encrypted, is at 3)


class Same(NamedTuple):
    """A row loaded before and unchanged since (its digest is stored): what the cross-row checks and the units
    still need of it."""

    psn_no: str
    emp_no: str | None
    emp_name: str | None


def _cell(raw: dict[str, Any], name: str) -> str | None:
    """A text cell as ``parse`` reads it (stripped; empty is ``None``)."""
    return _text(raw.get(name))


def _text(cell: Any) -> str | None:
    """A cell's text as ``parse`` reads it (stripped; empty is ``None``)."""
    if type(cell) is str:
        cell = cell.strip()
        return cell or None
    if isinstance(cell, str):
        cell = cell.strip()
    return None if cell is None or cell == "" else cell_text(cell)


#: How ``row_text`` joins a row's cells, and stands for a column the file does not have.
SEPARATOR, ABSENT = "\x1f", "\x1e"


def row_text(cells: list[Any]) -> str:
    """The text a row's digest is made of: its text cells joined with ``SEPARATOR`` (as ``known_rows`` joins the
    columns of a CSV), else — a cell not text (Excel) or holding a separator — the ``repr`` of the cells after
    ``"\x1d"``, which a joined text never starts with."""
    if all(c is None or (type(c) is str and SEPARATOR not in c and ABSENT not in c and "\x1d" not in c)
           for c in cells):
        return SEPARATOR.join(ABSENT if c is None else c for c in cells)
    return "\x1d" + repr(cells)


def _stripped(cells: pa.ChunkedArray) -> list[str | None]:
    """Text cells as ``_text`` reads them: stripped, empty as ``None``."""
    return [_text(cell) for cell in cells.to_pylist()] if pc.any(pc.match_substring_regex(cells, EDGE_SPACE)).as_py() \
        else [cell or None for cell in cells.to_pylist()]


def generated_emp_no(admdvs: str, emp_name: str) -> str:
    """A stable unit number for a unit known only by name (the 1101 output has no unit number)."""
    return "U" + admdvs + hashlib.sha1(emp_name.encode("utf-8")).hexdigest()[:12].upper()


class RosterImporter(Importer):
    kind = "roster"
    columnar = True
    title = "参保人员名单"
    columns = COLUMNS
    posts = frozenset({"manager", "settlement"})
    regional = True

    def __init__(self, batch: Any, user: Any) -> None:
        super().__init__(batch, user)
        self.ignored = 0
        self.existing: dict[str, tuple[Any, ...]] = {}
        self.known: dict[str, str] | None = None  # psn_no -> digest of the row last loaded, still valid
        self.digests: dict[int, str] = {}  # row_no -> digest, of the rows read (stored when loaded)
        self.key = b""
        self._keyed: Any = None  # the keyed row hasher (set with ``key``)
        self._names: tuple[str, ...] = ()
        self._generated: dict[str, str] = {}  # unit name -> generated unit number
        self._plain: dict[str, str | None] = {}  # psn_no -> stored certificate number, decrypted (``certno_of``)

    # -- rows loaded before -----------------------------------------------------------------------------
    def _start_digests(self) -> None:
        self.known = self._known_digests()
        lists = sorted({c.codelist for c in self.columns if c.codelist})
        # the digest holds the region and the dictionaries the row was checked against: a code withdrawn
        # since makes every row read and checked again; "v2": the cells joined (``row_text``)
        seed = repr(("v2", self.batch.region_id, [(k, sorted(codes.valid_codes(k))) for k in lists])).encode()
        self.key = hashlib.blake2b(seed, digest_size=32).digest()
        self._keyed = hashlib.blake2b(digest_size=16, key=self.key)  # copied per row: the key is hashed once
        self._names = tuple(c.name for c in self.columns)

    def unchanged(self, row_no: int, raw: dict[str, Any]) -> Same | None:
        if self.known is None:
            self._start_digests()
            assert self.known is not None
        hasher = self._keyed.copy()
        hasher.update(row_text(list(map(raw.get, self._names))).encode())
        digest = hasher.hexdigest()
        psn_no = _cell(raw, "psn_no")
        if psn_no is not None and self.known.get(psn_no) == digest:
            return self._same(psn_no, _cell(raw, "emp_no"), _cell(raw, "emp_name"))
        self.digests[row_no] = digest
        return None

    def known_rows(self, columns: dict[str, pa.ChunkedArray]) -> list[Same | None] | None:
        """Every row's digest in one tight loop over the joined cells, and the rows loaded before found with one
        set-based step (a digest covers the row's ``psn_no``: equal to a stored digest, it is that person's)."""
        self._start_digests()
        assert self.known is not None
        parts = [columns[name] if name in columns else pa.scalar(ABSENT) for name in self._names]
        keyed, digests = self._keyed, []
        for text in pc.binary_join_element_wise(*parts, SEPARATOR).to_pylist():
            hasher = keyed.copy()
            hasher.update(text.encode())
            digests.append(hasher.hexdigest())
        found = pc.is_in(pa.array(digests, pa.string()), value_set=pa.array(list(set(self.known.values())), pa.string()))
        rows = pc.indices_nonzero(found)
        out: list[Same | None] = [None] * len(digests)
        cells = [_stripped(columns[name].take(rows)) if name in columns else [None] * len(rows)
                 for name in ("psn_no", "emp_no", "emp_name")]
        for i, psn_no, emp_no, emp_name in zip(rows.to_pylist(), *cells, strict=True):
            out[i] = self._same(psn_no, emp_no, emp_name)
        self.digests = {i + 2: digest for i, digest in enumerate(digests) if out[i] is None}
        return out

    def _same(self, psn_no: str, emp_no: str | None, emp_name: str | None) -> Same:
        """A known row's record from its cells as ``parse`` reads them (``_text``)."""
        if emp_no is None and emp_name is not None:
            emp_no = self._generated.get(emp_name)
            if emp_no is None:  # a roster names the same few thousand units over and over
                emp_no = self._generated[emp_name] = generated_emp_no(self.batch.region_id, emp_name)
        return Same(psn_no, emp_no, emp_name)

    def _known_digests(self) -> dict[str, str]:
        """The digests of the region's persons with no enrolment record newer than their last loaded row."""
        newer = Enrolment.objects.filter(person_id=OuterRef("person_id"), id__gt=OuterRef("enrolment_seen"))
        rows = (RosterRow.objects.filter(person__region_id=self.batch.region_id).filter(~Exists(newer))
                .values_list("person__psn_no", "digest"))
        return dict(rows.iterator(chunk_size=20000))

    def check(self, row_no: int, v: dict[str, Any], problems: Problems) -> tuple[Any, ...] | None:  # noqa: C901 -- issue 14: split after the roster-import speed work in this file lands
        if (v["insutype"] or "330") != "330":
            self.ignored += 1
            return None
        ok = True
        if v["insuplc_admdvs"] != self.batch.region_id:
            problems.add(row_no, "insuplc_admdvs", v["insuplc_admdvs"],
                         f"参保地统筹区与本批次统筹区（{self.batch.region_id}）不一致")
            ok = False
        certno = v["certno"]
        if v["psn_cert_type"] == "01":
            check = validate_certno(certno, today=self.today)
            if not check.ok:
                problems.add(row_no, "certno", certno, check.message)
                ok = False
            else:
                assert check.facts is not None
                certno = check.facts.certno
                if check.facts.birth_date != v["brdy"]:
                    problems.add(row_no, "brdy", v["brdy"], "出生日期与身份证号码不符")
                    ok = False
                if check.facts.gend != v["gend"]:
                    problems.add(row_no, "gend", v["gend"], "性别与身份证号码不符")
                    ok = False
        if v["brdy"] > self.today:
            problems.add(row_no, "brdy", v["brdy"], "出生日期晚于今天")
            ok = False
        begin, pause, end, status = v["psn_insu_date"], v["paus_insu_date"], v["insu_end_date"], v["psn_insu_stas"]
        if begin < v["brdy"]:
            problems.add(row_no, "psn_insu_date", begin, "参保日期早于出生日期")
            ok = False
        if status == SUSPENDED and pause is None:
            problems.add(row_no, "paus_insu_date", "", "暂停参保的人员必须填写暂停日期")
            ok = False
        if status == ENDED and end is None:
            end = pause
            if end is None:
                problems.add(row_no, "insu_end_date", "", "终止参保的人员必须填写终止日期")
                ok = False
        if status == NORMAL:
            pause = end = None  # a normal enrolment has no stop; the platform may still list an old pause date
        for column, day in (("paus_insu_date", pause), ("insu_end_date", end)):
            if day is not None and day < begin:
                problems.add(row_no, column, day, "日期早于参保日期")
                ok = False
        if (v["contrib_year"] is None) != (v["contrib_stas"] is None):
            problems.add(row_no, "contrib_year" if v["contrib_year"] is None else "contrib_stas", "",
                         "缴费年度与缴费状态须同时填写")
            ok = False
        elif v["contrib_year"] is not None and not 1990 <= v["contrib_year"] <= self.today.year + 1:
            problems.add(row_no, "contrib_year", v["contrib_year"], "缴费年度超出范围")
            ok = False
        if v["emp_no"] is None and v["emp_name"] is not None:
            v["emp_no"] = generated_emp_no(v["insuplc_admdvs"], v["emp_name"])
        if not ok:
            return None
        return (v["psn_no"], v["psn_cert_type"], certno, v["psn_name"], v["gend"], v["brdy"], v["insuplc_admdvs"],
                v["emp_no"], v["emp_name"], v["psn_type"], status, begin, pause, end, v["contrib_year"],
                v["contrib_stas"])

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        self.existing = _stored_persons()
        same_hashes = [self.existing[r.psn_no][HASH] for _n, r in records if isinstance(r, Same)]
        # certificate numbers are compared as text, but only those that may be equal are decrypted: equal
        # numbers have equal keyed hashes (the stored column; ``blind_index`` of a row read)
        wanted = {blind_index(r[CERTNO]) for _n, r in records if not isinstance(r, Same)} if self.existing else set()
        wanted.update(h for h, n in Counter(same_hashes).items() if n > 1)
        owner_of_certno = {self.certno_of(row): row[0] for row in self.existing.values() if row[HASH] in wanted}
        first_row: dict[str, int] = {}
        certno_row: dict[Any, tuple[int, str]] = {}
        units = dict(Unit.objects.values_list("emp_no", "region_id"))
        for row_no, r in records:
            same = isinstance(r, Same)  # the stored person's own certno, region and unit: checked when loaded
            psn_no = r.psn_no if same else r[PSN_NO]
            certno: Any
            if same:  # a number no other row has stands in for itself (the stored row: equal to no text)
                known = self.existing[psn_no]
                certno = self.certno_of(known) if known[HASH] in wanted else known
            else:
                certno = r[CERTNO]
            if psn_no in first_row:
                problems.add(row_no, "psn_no", psn_no, f"人员编号与第 {first_row[psn_no]} 行重复")
                continue
            first_row[psn_no] = row_no
            seen = certno_row.get(certno)
            if seen is not None and seen[1] != psn_no:
                problems.add(row_no, "certno", certno, f"证件号码与第 {seen[0]} 行（另一人员编号）重复")
            certno_row[certno] = (row_no, psn_no)
            if same:
                continue
            owner = owner_of_certno.get(certno)
            if owner is not None and owner != psn_no:
                problems.add(row_no, "certno", certno, f"证件号码已属于人员 {owner}")
            stored = self.existing.get(psn_no)
            if stored is not None and stored[7] != r[ADMDVS]:
                problems.add(row_no, "insuplc_admdvs", r[ADMDVS], "该人员属于其他统筹区，不能在本统筹区导入")
            if r[EMP_NO] is not None:
                unit_region = units.get(r[EMP_NO])
                if unit_region is not None and unit_region != r[ADMDVS]:
                    problems.add(row_no, "emp_no", r[EMP_NO], "该单位属于其他统筹区")
                elif unit_region is None and r[EMP_NAME] is None:
                    problems.add(row_no, "emp_name", "", "新单位必须填写单位名称")

    def certno_of(self, stored: tuple[Any, ...]) -> str | None:
        """A stored person's certificate number, decrypted when first needed."""
        if stored[0] not in self._plain:
            self._plain[stored[0]] = decrypt(stored[3])
        return self._plain[stored[0]]

    def load(self, records: list[tuple[int, Any]], progress: Callable[[int], None]) -> Counts:
        load = RosterLoad(self, [r for _n, r in records if not isinstance(r, Same)], progress)
        load.same_rows = [r for _n, r in records if isinstance(r, Same)]
        load.units_in_order = [(r.emp_no, r.emp_name) if isinstance(r, Same) else (r[EMP_NO], r[EMP_NAME])
                               for _n, r in records]
        load.digests = [self.digests[n] for n, r in records if not isinstance(r, Same)]
        return load.run()


def _stored_persons() -> dict[str, tuple[Any, ...]]:
    """Every stored person as ``(psn_no, id, psn_cert_type, certno, psn_name, gend, brdy, region_id, unit_id,
    certno_hash)``, by ``psn_no``: read with one plain query (a roster compares a million rows; the ORM's
    per-value converters cost more than the reading; on SQLite ``brdy`` stays text). The certificate
    number stays encrypted here (``RosterImporter.certno_of`` decrypts the few that are compared)."""
    quote = connection.ops.quote_name
    names = ("psn_no", "id", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "region", "unit", "certno_hash")
    columns = ", ".join(quote(str(Person._meta.get_field(n).column)) for n in names)  # type: ignore[union-attr]
    out: dict[str, tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(Person._meta.db_table)}")
        while rows := cursor.fetchmany(20000):
            for psn_no, pk, cert_type, certno, name, gend, brdy, region, unit, certno_hash in rows:
                out[psn_no] = (psn_no, pk, cert_type, certno, name, gend, brdy, region, unit, certno_hash)
    return out


class RosterLoad:
    """Writes one validated roster; every step is a bulk statement."""

    def __init__(self, importer: RosterImporter, rows: list[tuple[Any, ...]], progress: Callable[[int], None]):
        self.importer = importer
        self.batch = importer.batch
        self.user = importer.user
        self.rows = rows
        self.progress = progress
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.events: list[tuple[Any, ...]] = []
        self.same_rows: list[Same] = []  # rows known unchanged by their digest: counted, not compared
        self.units_in_order = [(r[EMP_NO], r[EMP_NAME]) for r in rows]  # every row's unit, in file order
        self.digests: list[str] = []  # of ``rows``, stored with the person when given

    def run(self) -> Counts:
        unit_ids = self._units()
        existing = self.importer.existing
        new_rows = [r for r in self.rows if r[PSN_NO] not in existing]
        insert_rows(Person, ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "region", "unit"),
                    ((r[PSN_NO], r[CERT_TYPE], r[CERTNO], r[NAME], r[GEND], r[BRDY], r[ADMDVS],
                      unit_ids.get(r[EMP_NO])) for r in new_rows))
        self.progress(len(new_rows) // 2)
        changed_people = self._update_persons(unit_ids)
        ids = dict(Person.objects.filter(region_id=self.batch.region_id).values_list("psn_no", "id")
                   .iterator(chunk_size=20000)) if len(self.rows) > 1000 else dict(
            Person.objects.filter(psn_no__in=[r[PSN_NO] for r in self.rows]).values_list("psn_no", "id"))
        changed_enrolment = self._enrolments(ids, unit_ids)
        self.progress(len(self.rows) * 3 // 4)
        changed_contribution = self._contributions(ids)
        insert_events(self.events)
        if self.digests:
            self._store_digests(ids)
        changed = (changed_people | changed_enrolment | changed_contribution) - {r[PSN_NO] for r in new_rows}
        self.progress(len(self.rows))
        return Counts(new=len(new_rows), changed=len(changed),
                      same=len(self.rows) - len(new_rows) - len(changed) + len(self.same_rows),
                      ignored=self.importer.ignored)

    def _store_digests(self, ids: dict[str, int]) -> None:
        """The digest of every row read and loaded, with the newest enrolment record now: a later record of
        the person (a manual change) voids it."""
        seen = Enrolment.objects.aggregate(newest=Max("id"))["newest"] or 0
        persons = [ids[r[PSN_NO]] for r in self.rows]
        if RosterRow.objects.exists():
            for start in range(0, len(persons), 900):
                RosterRow.objects.filter(person_id__in=persons[start:start + 900]).delete()
        insert_rows(RosterRow, ("person", "digest", "enrolment_seen"),
                    ((pk, digest, seen) for pk, digest in zip(persons, self.digests, strict=True)))

    def _event(self, action: str, object_type: str, object_id: Any, before: dict[str, Any],
               after: dict[str, Any]) -> None:
        self.events.append(event_row(self.user, action, object_type=object_type, object_id=object_id,
                                     region_id=self.batch.region_id, before=before, after=after,
                                     note=f"导入批次 #{self.batch.pk}", at=self.now))

    def _units(self) -> dict[str, int]:
        stored = {no: (pk, name) for no, pk, name in Unit.objects.values_list("emp_no", "id", "emp_name")}
        wanted: dict[str, str | None] = {}
        for emp_no, emp_name in self.units_in_order:
            if emp_no is not None and (emp_no not in wanted or emp_name is not None):
                wanted[emp_no] = emp_name
        new = [(no, name, self.batch.region_id) for no, name in wanted.items() if no not in stored]
        insert_rows(Unit, ("emp_no", "emp_name", "region"), new)
        for no, name in wanted.items():
            if no in stored and name is not None and stored[no][1] != name:
                Unit.objects.filter(pk=stored[no][0]).update(emp_name=name)
                self._event("unit.changed", "enrollment.unit", stored[no][0], {"emp_name": stored[no][1]},
                            {"emp_name": name})
        return dict(Unit.objects.filter(emp_no__in=list(wanted)).values_list("emp_no", "id")) if len(wanted) < 900 \
            else dict(Unit.objects.values_list("emp_no", "id"))

    def _update_persons(self, unit_ids: dict[str, int]) -> set[str]:
        fields = ("psn_cert_type", "certno", "psn_name", "gend", "brdy", "unit")
        updates = []
        changed: set[str] = set()
        for r in self.rows:
            stored = self.importer.existing.get(r[PSN_NO])
            if stored is None:
                continue
            new = (r[CERT_TYPE], r[CERTNO], r[NAME], r[GEND], r[BRDY], unit_ids.get(r[EMP_NO]) if r[EMP_NO] else None)
            brdy = date.fromisoformat(stored[6]) if isinstance(stored[6], str) else stored[6]  # SQLite: text
            old = (stored[2], self.importer.certno_of(stored), stored[4], stored[5], brdy, stored[8])
            if new == old:
                continue
            changed.add(r[PSN_NO])
            updates.append((*new, stored[1]))
            diff = [i for i in range(len(fields)) if new[i] != old[i]]
            self._event("person.changed", "enrollment.person", stored[1], {fields[i]: old[i] for i in diff},
                        {fields[i]: new[i] for i in diff})
        if updates:
            from dae.core.crypto import blind_index, encrypt

            table, quote = Person._meta.db_table, connection.ops.quote_name
            sets = ", ".join(f"{quote(c)} = %s" for c in ("psn_cert_type", "certno", "psn_name", "gend", "brdy",
                                                          "unit_id", "certno_hash"))
            sealed = [(u[0], encrypt(u[1]), *u[2:6], blind_index(u[1]), u[6]) for u in updates]  # as save() would
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE {quote('id')} = %s", sealed)
        return changed

    def _current_enrolments(self, person_ids: set[int]) -> dict[int, tuple[Any, ...]]:
        superseded = set(Enrolment.objects.filter(supersedes__isnull=False).values_list("supersedes_id", flat=True))
        query = Enrolment.objects.filter(insutype="330", person__region_id=self.batch.region_id).order_by("id")
        current: dict[int, tuple[Any, ...]] = {}
        for row in query.values_list("person_id", "id", "psn_type", "status", "begin_date", "pause_date",
                                     "end_date", "region_id", "unit_id", "valid_from").iterator(chunk_size=20000):
            if row[0] in person_ids and row[1] not in superseded:
                current[row[0]] = row
        return current

    def _enrolments(self, ids: dict[str, int], unit_ids: dict[str, int]) -> set[str]:
        person_ids = {ids[r[PSN_NO]] for r in self.rows}
        current = self._current_enrolments(person_ids) if self.importer.existing and person_ids else {}
        out = []
        changed: set[str] = set()
        for r in self.rows:
            pid = ids[r[PSN_NO]]
            unit = unit_ids.get(r[EMP_NO]) if r[EMP_NO] else None
            snap = (r[PSN_TYPE], r[STATUS], r[BEGIN], r[PAUSE], r[END], r[ADMDVS], unit)
            prev = current.get(pid)
            if prev is not None and prev[2:9] == snap:
                continue
            valid_from, reason = self._valid_from(prev, r)
            changed.add(r[PSN_NO])
            out.append((pid, "330", r[PSN_TYPE], r[STATUS], valid_from, r[BEGIN], r[PAUSE], r[END], r[ADMDVS], unit,
                        Enrolment.Source.IMPORT, self.batch.pk, reason, self.user.pk if self.user else None,
                        self.now))
        insert_rows(Enrolment, ("person", "insutype", "psn_type", "status", "valid_from", "begin_date",
                                "pause_date", "end_date", "region", "unit", "source", "batch", "reason",
                                "recorded_by", "recorded_at"), out)
        return changed

    def _valid_from(self, prev: tuple[Any, ...] | None, r: tuple[Any, ...]) -> tuple[date, str]:
        """From which date the new snapshot answers (see ``Enrolment``)."""
        if prev is None:
            return r[BEGIN], ""
        prev_status, prev_stop, prev_from = prev[3], prev[5] or prev[6], prev[9]
        if prev_status != NORMAL and r[STATUS] == NORMAL:  # resumed or re-enrolled
            if prev_stop is not None and r[BEGIN] >= prev_stop:
                return r[BEGIN], "恢复参保（按新的参保日期）"
            return max(self.today, prev_from), "恢复参保（文件未给恢复日期，按导入日期）"
        return prev_from, "导入变更"

    def _contributions(self, ids: dict[str, int]) -> set[str]:
        wanted = {(ids[r[PSN_NO]], r[CONTRIB_YEAR]): (r[CONTRIB_STAS], r[PSN_NO]) for r in self.rows
                  if r[CONTRIB_YEAR] is not None}
        if not wanted:
            return set()
        years = {y for _p, y in wanted}
        stored = {(p, y): (pk, s) for pk, p, y, s in ContributionYear.objects.filter(year__in=years)
                  .values_list("id", "person_id", "year", "status").iterator(chunk_size=20000)}
        new = []
        changed: set[str] = set()
        for (pid, year), (status, psn_no) in wanted.items():
            old = stored.get((pid, year))
            if old is None:
                new.append((pid, year, status, self.now))
                continue
            if old[1] != status:
                ContributionYear.objects.filter(pk=old[0]).update(status=status, recorded_at=self.now)
                self._event("contribution.changed", "enrollment.contributionyear", old[0],
                            {"year": year, "status": old[1]}, {"year": year, "status": status})
                changed.add(psn_no)
        insert_rows(ContributionYear, ("person", "year", "status", "recorded_at"), new)
        # a new year for a person already stored is a change of that person (new persons are counted as new)
        changed.update(psn_no for (pid, year), (_s, psn_no) in wanted.items() if (pid, year) not in stored)
        return changed


@register
class Roster1101Importer(RosterImporter):
    """The platform's person query 1101 output: one object ``{"baseinfo": …, "insuinfo": [...]}`` per person
    (or the whole response with ``output``), as a JSON list. Row numbers count persons from 1."""

    kind = "roster_1101"
    title = "参保人员（1101 人员信息 JSON）"
    formats = ("json",)
    page_note = "医保平台 1101 人员信息获取接口的输出：每人一个对象（baseinfo 基本信息 + insuinfo 参保信息），只导入险种 330 的参保信息；字段同上表。"

    @classmethod
    def example_file(cls) -> tuple[bytes, str] | None:
        import json

        person = {"baseinfo": {"psn_no": "22028200000001", "psn_cert_type": "01", "certno": "22028219800101247X",
                               "psn_name": "王小明", "gend": "1", "brdy": "1980-01-01"},
                  "insuinfo": [{"insutype": "330", "insuplc_admdvs": "220282", "emp_name": "桦甸市示例有限公司",
                                "psn_type": "1101", "psn_insu_stas": "1", "psn_insu_date": "2020-01-01",
                                "paus_insu_date": None}]}
        return json.dumps([person], ensure_ascii=False, indent=2).encode("utf-8"), "json"

    def estimate_rows(self, path: Path, fmt: str) -> int:
        return 0

    def read(self, path: Path, fmt: str, problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
        data = read_json(path)
        items = data if isinstance(data, list) else [data]
        for row_no, item in enumerate(items, start=1):
            if isinstance(item, dict) and isinstance(item.get("output"), dict):
                item = item["output"]
            if not isinstance(item, dict) or not isinstance(item.get("baseinfo"), dict):
                problems.add(row_no, "baseinfo", "", "缺少 baseinfo（基本信息）")
                continue
            insuinfo = item.get("insuinfo") or []
            rows330 = [i for i in insuinfo if isinstance(i, dict) and str(i.get("insutype", "")) == "330"]
            if not rows330:
                self.ignored += 1
                continue
            if len(rows330) > 1:
                problems.add(row_no, "insuinfo", "330", "同一人员有多条 330 参保信息")
                continue
            base, insu = item["baseinfo"], rows330[0]
            raw = {name: base.get(name) for name in ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy")}
            raw.update({name: insu.get(name) for name in ("insuplc_admdvs", "emp_name", "insutype", "psn_type",
                                                          "psn_insu_stas", "psn_insu_date", "paus_insu_date")})
            yield row_no, {k: (str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
                           for k, v in raw.items()}


register(RosterImporter)
