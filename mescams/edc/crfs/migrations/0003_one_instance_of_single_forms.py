"""One instance per participant (and visit, test or ICF version) of each single form, as the protocol declares.

Before adding the unique constraints, existing duplicates are looked for and, if any, the migration stops naming
them: which record to keep is a clinical decision for the data manager (change or delete the other, audited),
never one a migration may take silently.
"""

from django.db import migrations, models
from django.db.models import Count

SINGLE = {
    "ScreeningRecord": ("participant",),
    "Consent": ("participant", "form_version"),
    "Demographics": ("participant",),
    "VitalSigns": ("participant", "visit_code"),
    "Infusion": ("participant", "visit_code"),
    "MriScan": ("participant", "visit_code"),
    "EdssAssessment": ("participant", "visit_code"),
    "SafetyLab": ("participant", "visit_code", "test"),
}


def refuse_existing_duplicates(apps, schema_editor):
    found = []
    for name, fields in SINGLE.items():
        model = apps.get_model("crfs", name)
        rows = (model.objects.using(schema_editor.connection.alias).values(*fields).annotate(n=Count("id"))
                .filter(n__gt=1).order_by(*fields))
        found += [f"{name} {dict(row)}" for row in rows]
    if found:
        raise RuntimeError("single forms recorded more than once; resolve these (keep one, change or delete the "
                           "others with a reason) before migrating:\n  " + "\n  ".join(found))


class Migration(migrations.Migration):

    dependencies = [
        ('crfs', '0002_out_of_window_mark'),
        ('trial', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.UniqueConstraint(fields=('participant', 'form_version'), name='crfs_one_consent'),
        ),
        migrations.AddConstraint(
            model_name='demographics',
            constraint=models.UniqueConstraint(fields=('participant',), name='crfs_one_demographics'),
        ),
        migrations.AddConstraint(
            model_name='edssassessment',
            constraint=models.UniqueConstraint(fields=('participant', 'visit_code'), name='crfs_one_edss'),
        ),
        migrations.AddConstraint(
            model_name='infusion',
            constraint=models.UniqueConstraint(fields=('participant', 'visit_code'), name='crfs_one_infusion'),
        ),
        migrations.AddConstraint(
            model_name='mriscan',
            constraint=models.UniqueConstraint(fields=('participant', 'visit_code'), name='crfs_one_mri'),
        ),
        migrations.AddConstraint(
            model_name='safetylab',
            constraint=models.UniqueConstraint(fields=('participant', 'visit_code', 'test'), name='crfs_one_safety_lab'),
        ),
        migrations.AddConstraint(
            model_name='screeningrecord',
            constraint=models.UniqueConstraint(fields=('participant',), name='crfs_one_screening'),
        ),
        migrations.AddConstraint(
            model_name='vitalsigns',
            constraint=models.UniqueConstraint(fields=('participant', 'visit_code'), name='crfs_one_vital_signs'),
        ),
    ]
