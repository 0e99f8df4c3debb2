from django.db import migrations, models
import django.db.models.deletion


def seed(apps, schema_editor):
    from dae.dictionaries.seed import seed as run

    run(apps.get_model("dictionaries", "CodeList"), apps.get_model("dictionaries", "Code"))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CodeList",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="字典代码")),
                ("name", models.CharField(max_length=100, verbose_name="名称")),
                ("name_en", models.CharField(blank=True, max_length=100, verbose_name="英文名称")),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="来源")),
            ],
            options={"verbose_name": "代码表", "ordering": ["key"]},
        ),
        migrations.CreateModel(
            name="Code",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=20, verbose_name="代码")),
                ("name", models.CharField(max_length=100, verbose_name="名称")),
                ("name_en", models.CharField(blank=True, max_length=100, verbose_name="英文名称")),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                ("local", models.BooleanField(default=False, verbose_name="地方扩展或含义待定")),
                ("sort", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("codelist", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="codes",
                                               to="dictionaries.codelist", verbose_name="代码表")),
            ],
            options={"verbose_name": "代码", "ordering": ["codelist_id", "sort", "code"]},
        ),
        migrations.AddConstraint(
            model_name="code",
            constraint=models.UniqueConstraint(fields=("codelist", "code"), name="unique_code_per_list"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
