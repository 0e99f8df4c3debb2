"""Fast inserts of many plain rows (imports, the demo city): ``executemany`` without an ORM object per row.

The ORM spends ~100 µs per object preparing values; a 400,000-line load would take minutes. Here values must
already be of the field's Python type (Decimal, date, aware datetime, str …): datetimes go through the backend's
own adapter, everything else through the driver's. It never validates: the caller validated the rows first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connections, models

BATCH = 5000


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table. Returns the count.
    Encrypted columns are encrypted here and their keyed hashes added (``core.fields``), as ``save`` would."""
    connection = connections[model._default_manager.db]
    columns, rows = _sealed(model, columns, rows)
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({column_sql}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    datetimes = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
    adapt = connection.ops.adapt_datetimefield_value
    done = 0
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, column_sql, rows, progress, batch)
    adapted: dict[Any, Any] = {}  # a load stamps most rows with the same moment: each adapted once

    def adapt_once(value: Any) -> Any:
        text = adapted.get(value, adapted)
        if text is adapted:
            text = adapt(value)
            if len(adapted) < 10_000:
                adapted[value] = text
        return text

    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch):
            if datetimes:
                prepared = []
                for row in chunk:
                    values = list(row)
                    for i in datetimes:
                        values[i] = adapt_once(values[i])
                    prepared.append(values)
                chunk = prepared
            cursor.executemany(sql, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)
    return done


def _sealed(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
            ) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """Encrypt the values of encrypted fields and append the keyed hash of each blind-indexed source."""
    from .crypto import blind_index, encrypt
    from .fields import BlindIndexField, EncryptedCharField

    encrypted = [i for i, name in enumerate(columns) if isinstance(model._meta.get_field(name), EncryptedCharField)]
    hashes = [(f.name, columns.index(f.source)) for f in model._meta.fields
              if isinstance(f, BlindIndexField) and f.source in columns and f.name not in columns]
    if not encrypted and not hashes:
        return columns, rows

    def seal(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        extra = [blind_index(values[i]) for _name, i in hashes]
        for i in encrypted:
            values[i] = encrypt(values[i]) if isinstance(values[i], str) else values[i]
        return values + extra

    return (*columns, *(name for name, _i in hashes)), (seal(row) for row in rows)


def _copy_rows(connection: Any, model: type[models.Model], column_sql: str, rows: Iterable[Sequence[Any]],
               progress: Callable[[int], None] | None, batch: int) -> int:
    """PostgreSQL: ``COPY … FROM STDIN`` through psycopg, many times faster than ``executemany``."""
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({column_sql}) FROM STDIN"
    done = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            done += 1
            if progress is not None and done % batch == 0:
                progress(done)
    if progress is not None:
        progress(done)
    return done
