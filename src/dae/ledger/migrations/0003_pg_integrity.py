"""On PostgreSQL the database itself keeps the ledger sound, whatever client writes to it.

- A DEFERRABLE INITIALLY DEFERRED constraint trigger on legs and on transactions checks, at commit, that each
  transaction touched has at least two legs and that its debits equal its credits; otherwise the commit fails.
  Deferred, because the legs of a transaction are inserted one after another and only the whole must balance.
- Legs and transactions are append-only: UPDATE and DELETE are refused (``dae_refuse_change`` from
  ``core/migrations/0002``). TRUNCATE stays possible for the database administrator and the test runner.
- The one-positive-side CHECK on legs comes from the model (``ledger_leg_one_positive_side``).
"""

from django.db import migrations

BALANCED = """
CREATE OR REPLACE FUNCTION dae_ledger_check_balanced() RETURNS trigger AS $$
DECLARE
    txn bigint;
    legs integer;
    debits numeric;
    credits numeric;
BEGIN
    IF TG_TABLE_NAME = 'ledger_leg' THEN
        txn := NEW.transaction_id;
    ELSE
        txn := NEW.id;
    END IF;
    SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) INTO legs, debits, credits
      FROM ledger_leg WHERE transaction_id = txn;
    IF legs < 2 OR debits <> credits THEN
        RAISE EXCEPTION 'dae: ledger transaction % does not balance (legs %, debits %, credits %)',
            txn, legs, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ("ledger_transaction", "ledger_leg")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BALANCED, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_balanced AFTER INSERT ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dae_ledger_check_balanced()")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION dae_refuse_change()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_balanced ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS dae_ledger_check_balanced()")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_seed_chart"), ("core", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
