from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("randomisation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationlist",
            name="source_csv",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="allocationlist",
            name="source_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
