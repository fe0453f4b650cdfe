"""AE severity beside the CTCAE grade, and the awareness date that starts the expedited-reporting clock.

Existing adverse events stay valid, and each value given here is written to the audit trail with its reason (so
``mescams audit verify`` finds every column of every row there):

- ``severity`` from the grade by CTCAE v5.0's own wording (1 mild, 2 moderate, 3 to 5 severe:
  :func:`mescams.core.safety.severity.severity_for_grade`), the one reading the grade allows;
- ``awareness_date`` of a serious event: the day it was entered in the EDC (never before its onset), which is
  the earliest date the sponsor's records prove it knew; non-serious events keep none (no clock runs for them).
"""

from django.db import migrations, models

SEVERITY_REASON = ("migration crfs 0007: severity introduced; given from the CTCAE grade by CTCAE v5.0's wording "
                   "(1 mild, 2 moderate, 3-5 severe)")
AWARENESS_REASON = ("migration crfs 0007: awareness date introduced; a serious event's is the day it was entered in "
                    "the EDC (not before onset), the earliest date the sponsor's records show it knew")
GRADE_SEVERITY = {1: "mild", 2: "moderate", 3: "severe", 4: "severe", 5: "severe"}


def backfill(apps, schema_editor):
    from mescams.edc.audit import chain
    from mescams.edc.audit.audited import plain_value
    from mescams.edc.audit.context import Actor

    model = apps.get_model("crfs", "AdverseEvent")
    actor = Actor.system("migration")
    rows = model.objects.order_by("pk").values_list("pk", "severity_grade", "serious", "onset_date", "created_at")
    for pk, grade, serious, onset, created_at in rows:
        severity = GRADE_SEVERITY.get(grade, "")
        if severity:
            model.objects.filter(pk=pk).update(severity=severity)
            chain.append(actor=actor, table=model._meta.db_table, record_id=str(pk), action="update",
                         changes=[("severity", plain_value(""), plain_value(severity))], reason=SEVERITY_REASON)
        if serious:
            aware = max(onset, created_at.date())
            model.objects.filter(pk=pk).update(awareness_date=aware)
            chain.append(actor=actor, table=model._meta.db_table, record_id=str(pk), action="update",
                         changes=[("awareness_date", None, plain_value(aware))], reason=AWARENESS_REASON)


class Migration(migrations.Migration):

    dependencies = [
        ('crfs', '0006_product_preparation_window_mark'),
    ]

    operations = [
        migrations.AddField(
            model_name='adverseevent',
            name='awareness_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='severity',
            field=models.CharField(blank=True, default='', max_length=10),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
