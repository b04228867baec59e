"""Per-event hash scheme (events before this keep unkeyed SHA-256, new ones use HMAC-SHA256 with
SSP_AUDIT_KEY), and users with events can no longer be deleted (PROTECT instead of SET_NULL,
which had to change events and ended in a 500 on PostgreSQL)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "SHA-256 uden nøgle (hændelser fra før nøglen)"),
                    (2, "HMAC-SHA256 med SSP_AUDIT_KEY"),
                ],
                default=1,
                verbose_name="hash-metode",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="bruger",
            ),
        ),
    ]
