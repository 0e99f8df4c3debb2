"""The event log and the access log as hash chains: the one place that links a new row to the previous one and
the one walk that checks them (``dae verify_logs``).

Every writer goes through here: ``Event.save`` / ``AccessRecord.save`` on insert, their managers' ``bulk_create``,
and the bulk path ``core.events.insert_events``. A writer takes the chain's lock, reads the head (the row with the
highest ``seq``), computes the new rows' links (``core.chain``, pure) and inserts — the write stays one insert per
row in the caller's transaction. On PostgreSQL the lock is a transaction-level advisory lock per chain, held until
the writer's transaction ends, so concurrent writers append in the order they commit and a rolled-back writer
leaves no hole; ``seq`` is unique, so a writer that got round the lock fails loudly instead of forking the chain.
SQLite has one writer at a time already (transactions begin ``IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.utils import timezone

from . import chain


class CanonicalJSON(str):
    """JSON text already in the chain's canonical form (written by ``core.events.event_row``)."""

    __slots__ = ()


def canonical_text(value: Any) -> str:
    """A JSON column's value as the chain hashes it: canonical JSON text (text given is parsed first)."""
    if isinstance(value, CanonicalJSON):
        return str(value)
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return chain.canonical(value)


def _aware(moment: Any) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment  # type: ignore[no-any-return]


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """One hashed column: its field name (attname for a foreign key) and how its value is normalised."""

    name: str
    attname: str
    norm: Callable[[Any], Any]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _time(value: Any) -> str:
    return chain.utc_text(_aware(value))


@dataclass(frozen=True)
class ChainSpec:
    key: str  # "event" / "access"
    label: str  # shown to people
    model_label: str
    lock_key: int
    columns: tuple[Column, ...]

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def fields_of(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The hashed content of a row, from its values by attname."""
        return {c.name: c.norm(values.get(c.attname)) for c in self.columns}

    def fields_of_object(self, obj: models.Model) -> dict[str, Any]:
        return {c.name: c.norm(getattr(obj, c.attname)) for c in self.columns}


EVENT_CHAIN = ChainSpec(
    "event", "事件日志", "core.Event", 0x6461650001,
    (
        Column("at", "at", _time),
        Column("actor", "actor_id", _opt_int),
        Column("action", "action", _text),
        Column("object_type", "object_type", _text),
        Column("object_id", "object_id", _text),
        Column("region", "region_id", _opt_str),
        Column("before", "before", canonical_text),
        Column("after", "after", canonical_text),
        Column("note", "note", _text),
    ),
)
ACCESS_CHAIN = ChainSpec(
    "access", "访问日志", "core.AccessRecord", 0x6461650002,
    (
        Column("at", "at", _time),
        Column("actor", "actor_id", _opt_int),
        Column("psn_no", "psn_no", _text),
        Column("object_type", "object_type", _text),
        Column("object_id", "object_id", _text),
        Column("why", "why", _text),
        Column("path", "path", _text),
        Column("region", "region_id", _opt_str),
    ),
)
CHAINS: dict[str, ChainSpec] = {EVENT_CHAIN.key: EVENT_CHAIN, ACCESS_CHAIN.key: ACCESS_CHAIN}


def spec_for(model: type[models.Model]) -> ChainSpec:
    label = model._meta.label
    for spec in CHAINS.values():
        if spec.model_label == label:
            return spec
    raise LookupError(label)


# -- writing ---------------------------------------------------------------------------------------------------


def lock_and_head(spec: ChainSpec, using: str = "default") -> tuple[int, str]:
    """Take the chain's lock for the rest of the current transaction and return its head ``(seq, hash)``."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("the log chain is written only inside a transaction")
    table = connection.ops.quote_name(spec.model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [spec.lock_key])
        cursor.execute(f"SELECT seq, row_hash FROM {table} ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, chain.GENESIS)


def stamp_objects(objs: Sequence[models.Model], using: str = "default") -> None:
    """Give unsaved rows their links (call inside the transaction that inserts them, right before the insert)."""
    if not objs:
        return
    spec = spec_for(type(objs[0]))
    for obj in objs:
        if getattr(obj, "at", None) is None:
            obj.at = timezone.now()  # type: ignore[attr-defined]
        elif timezone.is_naive(obj.at):  # type: ignore[attr-defined]
            obj.at = timezone.make_aware(obj.at)  # type: ignore[attr-defined]
    seq, head = lock_and_head(spec, using)
    for obj, link in zip(objs, chain.extend(seq, head, (spec.fields_of_object(o) for o in objs)), strict=True):
        obj.seq, obj.prev_hash, obj.row_hash = link.seq, link.prev_hash, link.row_hash  # type: ignore[attr-defined]


def chained_rows(spec: ChainSpec, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                 using: str = "default") -> Iterator[tuple[Any, ...]]:
    """Bulk rows (tuples in the order of ``columns``, field names) with ``seq, prev_hash, row_hash`` appended;
    times are made aware, JSON text is written in its canonical form. Takes the lock and reads the head now,
    before the caller starts inserting (a PostgreSQL ``COPY`` allows no other statement while it runs)."""
    model = spec.model
    attnames = [model._meta.get_field(name).attname for name in columns]  # type: ignore[union-attr]
    at_index = attnames.index("at")
    json_indexes = [i for i, name in enumerate(columns) if isinstance(model._meta.get_field(name), models.JSONField)]
    head_seq, head_hash = lock_and_head(spec, using)

    def linked() -> Iterator[tuple[Any, ...]]:
        seq, prev = head_seq, head_hash
        for row in rows:
            values = list(row)
            values[at_index] = _aware(values[at_index] or timezone.now())
            for i in json_indexes:
                values[i] = canonical_text(values[i])
            fields = spec.fields_of(dict(zip(attnames, values, strict=True)))
            seq += 1
            digest = chain.row_hash(seq, prev, fields)
            yield (*values, seq, prev, digest)
            prev = digest

    return linked()


# -- reading and verifying ------------------------------------------------------------------------------------


def stored_rows(spec: ChainSpec, *, after_seq: int = 0, until_seq: int | None = None,
                chunk: int = 5000, using: str = "default") -> Iterator[chain.StoredRow]:
    """The chain's rows in ``seq`` order, read in keyset pages (memory bounded by one page)."""
    model = spec.model
    names = ["id", "seq", "prev_hash", "row_hash", *[c.attname for c in spec.columns]]
    last = after_seq
    while True:
        qs = model._default_manager.using(using).order_by("seq").filter(seq__gt=last)
        if until_seq is not None:
            qs = qs.filter(seq__lte=until_seq)
        page = list(qs.values_list(*names)[:chunk])
        for values in page:
            data = dict(zip(names, values, strict=True))
            yield chain.StoredRow(data["id"], data["seq"], data["prev_hash"], data["row_hash"], spec.fields_of(data))
        if len(page) < chunk:
            return
        last = page[-1][1]


@dataclass(frozen=True)
class Verification:
    spec: ChainSpec
    result: chain.WalkResult
    anchor_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.anchor_problem


def verify(spec: ChainSpec, *, progress: Callable[[int], None] | None = None,
           anchors: Iterable[tuple[int, str, str]] = (), using: str = "default") -> Verification:
    """Walk the whole chain; then check the kept anchors ``(seq, hash, what)`` against it (a truncated or rewritten
    chain no longer has the hash an anchor recorded)."""

    def counted(rows: Iterator[chain.StoredRow]) -> Iterator[chain.StoredRow]:
        for n, row in enumerate(rows, 1):
            if progress is not None and n % 10000 == 0:
                progress(n)
            yield row

    result = chain.walk(counted(stored_rows(spec, using=using)))
    anchor_problem = ""
    if result.ok:
        model = spec.model._default_manager.using(using)
        for seq, digest, what in anchors:
            found = model.filter(seq=seq).values_list("row_hash", flat=True).first()
            if found is None:
                anchor_problem = f"{what}：第 {seq} 行已不存在（链尾被截断）"
                break
            if found != digest:
                anchor_problem = f"{what}：第 {seq} 行的摘要与存档记录不一致（链被重写）"
                break
    return Verification(spec, result, anchor_problem)


def describe(verification: Verification) -> str:
    """A Chinese sentence naming the first row that does not match (or saying the chain holds)."""
    spec, result = verification.spec, verification.result
    problem = result.problem
    if problem is None:
        if verification.anchor_problem:
            return f"{spec.label}：{verification.anchor_problem}"
        return f"{spec.label}：完整，共 {result.rows} 行，末行序号 {result.last_seq}，末行摘要 {result.last_hash}"
    where = f"序号 {problem.seq}（id {problem.id}）"
    if problem.kind == "gap":
        if problem.missing_from == problem.missing_to:
            missing = f"序号 {problem.missing_from} 的行"
        else:
            missing = f"序号 {problem.missing_from}–{problem.missing_to} 的行"
        return f"{spec.label}：在{where}之前缺少{missing}（行被删除）"
    if problem.kind == "relinked":
        return f"{spec.label}：{where}的前一行摘要不符（前一行被替换或删除）"
    if problem.kind == "start":
        return f"{spec.label}：首行{where}不是链的起点（此前的行被删除）"
    return f"{spec.label}：{where}的内容与其摘要不符（该行被修改）"


#: Where kept anchors come from (the archives register theirs): chain key → ``(seq, hash, what)`` of each anchor.
ANCHOR_SOURCES: list[Callable[[str], Iterable[tuple[int, str, str]]]] = []


def anchors_for(key: str) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for source in ANCHOR_SOURCES:
        found.extend(source(key))
    return found


def verify_all(keys: Iterable[str] | None = None, *, progress: Callable[[str, int], None] | None = None,
               with_anchors: bool = True, using: str = "default") -> list[Verification]:
    """Verify each chain named (all by default) in the database ``using``, each against its kept anchors (the
    anchor sources read the default database, so another database — a restored copy — is walked without them)."""
    results = []
    anchored = with_anchors and using == "default"
    for key in keys or CHAINS:
        spec = CHAINS[key]
        step = (lambda n, k=key: progress(k, n)) if progress is not None else None
        results.append(verify(spec, progress=step, anchors=anchors_for(key) if anchored else (), using=using))
    return results
