from django.db import migrations, models


class Migration(migrations.Migration):
    """The keyed chain. Existing heads get NULL (their entries are plain SHA-256; the boundary is marked at the
    next write or by `minzheng init`); heads created from now on start keyed at entry 1."""

    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(model_name="audithead", name="keyed_from", field=models.BigIntegerField(null=True)),
        migrations.AlterField(model_name="audithead", name="keyed_from",
                              field=models.BigIntegerField(null=True, default=1)),
    ]
