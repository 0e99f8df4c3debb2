"""The event log and the access log become hash chains (``core.logchain``).

Rows already stored are linked in the order they were written (by id), with the chain's own code, then ``seq``
becomes required and unique. On PostgreSQL the append-only trigger refuses the UPDATEs this needs, so it is
disabled for the linking and enabled again in the same migration.
"""

from django.db import migrations, models

TABLES = {"Event": "core_event", "AccessRecord": "core_accessrecord"}


def link_existing(apps, schema_editor):
    from dae.core import chain
    from dae.core.logchain import ACCESS_CHAIN, EVENT_CHAIN

    connection = schema_editor.connection
    for name, spec in (("Event", EVENT_CHAIN), ("AccessRecord", ACCESS_CHAIN)):
        model = apps.get_model("core", name)
        table = TABLES[name]
        if not model.objects.exists():
            continue
        names = ["id", *[c.attname for c in spec.columns]]
        if connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        seq, prev, last_id = 0, chain.GENESIS, 0
        while True:
            page = list(model.objects.filter(id__gt=last_id).order_by("id").values_list(*names)[:5000])
            if not page:
                break
            updates = []
            for values in page:
                data = dict(zip(names, values))
                seq += 1
                digest = chain.row_hash(seq, prev, spec.fields_of(data))
                updates.append((seq, prev, digest, data["id"]))
                prev = digest
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
                                   updates)
            last_id = page[-1][0]
        if connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_access_export")]

    operations = [
        migrations.AddField("event", "seq", models.BigIntegerField(null=True, editable=False, verbose_name="链序号")),
        migrations.AddField("event", "prev_hash", models.CharField(default="", editable=False, max_length=64,
                                                                   verbose_name="前一行摘要"), preserve_default=False),
        migrations.AddField("event", "row_hash", models.CharField(default="", editable=False, max_length=64,
                                                                  verbose_name="本行摘要"), preserve_default=False),
        migrations.AddField("accessrecord", "seq", models.BigIntegerField(null=True, editable=False,
                                                                          verbose_name="链序号")),
        migrations.AddField("accessrecord", "prev_hash", models.CharField(default="", editable=False, max_length=64,
                                                                          verbose_name="前一行摘要"),
                            preserve_default=False),
        migrations.AddField("accessrecord", "row_hash", models.CharField(default="", editable=False, max_length=64,
                                                                         verbose_name="本行摘要"),
                            preserve_default=False),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.AlterField("event", "seq", models.BigIntegerField(editable=False, unique=True,
                                                                     verbose_name="链序号")),
        migrations.AlterField("accessrecord", "seq", models.BigIntegerField(editable=False, unique=True,
                                                                            verbose_name="链序号")),
    ]
