"""AE causality (the five-step scale; ``related`` now derived from it) and the lab's product preparations.

Existing adverse events get a causality, each written to the audit trail (so ``mescams audit verify`` still finds
every column of every row there): ``related = true`` becomes ``possible``, the weakest step that is related, so no
event claims more certainty than was recorded; ``related = false`` becomes "" (not yet assessed), because the old
review page arrived pre-ticked "not related", so a false may be that default rather than a judgement: such events
return to the investigator's review list.
"""

import django.db.models.deletion
import mescams.edc.crfs.base
from django.db import migrations, models

LEGACY_REASON = ("migration crfs 0002: causality introduced; related=true -> possible (weakest related step), "
                 "related=false -> not yet assessed (the old form's pre-ticked default)")


def causality_from_related(apps, schema_editor):
    from mescams.edc.audit import chain
    from mescams.edc.audit.audited import plain_value
    from mescams.edc.audit.context import Actor

    model = apps.get_model("crfs", "AdverseEvent")
    actor = Actor.system("migration")
    for pk, related in model.objects.order_by("pk").values_list("pk", "related"):
        causality = "possible" if related else ""
        model.objects.filter(pk=pk).update(causality=causality)
        chain.append(actor=actor, table=model._meta.db_table, record_id=str(pk), action="update",
                     changes=[("causality", None, plain_value(causality))], reason=LEGACY_REASON)


class Migration(migrations.Migration):

    dependencies = [
        ('crfs', '0004_consent_time_and_taker'),
        ('trial', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='adverseevent',
            name='causality',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.CreateModel(
            name='ProductPreparation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visit_code', models.CharField(blank=True, default='', max_length=8)),
                ('created_at', models.DateTimeField(default=mescams.edc.crfs.base.utcnow)),
                ('weight_kg', models.FloatField()),
                ('prepared_by', models.CharField(max_length=150)),
                ('prepared_at', models.DateTimeField()),
                ('confirmed_by', models.CharField(blank=True, default='', max_length=150)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trial.participant')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('participant', 'visit_code'), name='one_preparation_per_visit')],
            },
        ),
        migrations.RunPython(causality_from_related, migrations.RunPython.noop),
    ]
