"""Seeds the chart of accounts from ``dae/ledger/chart.yaml`` (missing accounts only)."""

from django.db import migrations


def seed(apps, schema_editor):
    from dae.ledger.seed import seed_chart

    seed_chart(apps.get_model("ledger", "Account"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
