"""Re-encryption of stored columns: the migrations that turned plain columns into encrypted ones, and
``dae rotate_keys``. Raw SQL in batches: values already under the current key are left alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .crypto import PREFIX, blind_index, decrypt, encrypt, key_id, ring

BATCH = 2000


def reseal_table(connection: Any, table: str, columns: Sequence[str],
                 hashes: Sequence[tuple[str, str]] = ()) -> int:
    """Encrypt under the current key every value of ``columns`` that is plain or under an older key, and
    recompute the keyed hashes ``(hash column, source column)``. Returns the rows changed."""
    quote = connection.ops.quote_name
    current = ring().current
    names = ", ".join(quote(c) for c in columns)
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('id')}, {names} FROM {quote(table)}")
        rows = cursor.fetchall()
    updates: list[list[Any]] = []
    for row in rows:
        values = list(row[1:])
        if all(not v or (v.startswith(PREFIX) and key_id(v) == current) for v in values) and not hashes:
            continue
        plain = {c: decrypt(v) for c, v in zip(columns, values, strict=True)}
        sealed = [encrypt(plain[c]) if plain[c] else plain[c] for c in columns]
        updates.append([*sealed, *(blind_index(plain[src]) for _h, src in hashes), row[0]])
    if updates:
        sets = ", ".join(f"{quote(c)} = %s" for c in [*columns, *(h for h, _s in hashes)])
        with connection.cursor() as cursor:
            for start in range(0, len(updates), BATCH):
                cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE {quote('id')} = %s",
                                   updates[start:start + BATCH])
        changed = len(updates)
    return changed


#: every encrypted column of the project: (app label, model, columns, keyed hashes)
SEALED: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("enrollment", "person", ("certno",), (("certno_hash", "certno"),)),
    ("catalog", "hospital", ("bank_account",), ()),
    ("reimbursement", "manualclaim", ("bank_account", "phone"), ()),
    ("payments", "paymentorder", ("bank_account",), ()),
    ("notices", "contact", ("phone",), ()),
    ("notices", "smsmessage", ("phone",), ()),
)


def migration(app_label: str, model: str) -> Callable[[Any, Any], None]:
    """A RunPython step encrypting the existing rows of ``app_label.model``."""

    def run(apps: Any, schema_editor: Any) -> None:
        for label, name, columns, hashes in SEALED:
            if (label, name) == (app_label, model):
                table = apps.get_model(label, name)._meta.db_table
                reseal_table(schema_editor.connection, table, columns, hashes)

    return run
