"""On PostgreSQL the database itself refuses UPDATE and DELETE of events and access records.

TRUNCATE stays possible: it is a database administrator's operation (and the test runner's), not an
application path.
"""

from django.db import migrations

APPEND_ONLY_TABLES = ("core_event", "core_accessrecord")

CREATE = """
CREATE OR REPLACE FUNCTION dae_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dae: % on append-only table % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION dae_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
