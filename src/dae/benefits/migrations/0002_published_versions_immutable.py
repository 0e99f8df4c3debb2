"""On PostgreSQL the database refuses UPDATE and DELETE of a published rule-set version."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dae_refuse_published_version_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'dae: published rule-set version % is immutable', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_rulesetversion_immutable BEFORE UPDATE OR DELETE ON benefits_rulesetversion
    FOR EACH ROW EXECUTE FUNCTION dae_refuse_published_version_change();
"""

DROP = "DROP TRIGGER IF EXISTS benefits_rulesetversion_immutable ON benefits_rulesetversion;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
