"""Imported time on no scope item was counted as scope creep; it is unclassified.

Importers used to leave a row whose task named no scope item on no scope at all, which the index
read as work the client had not approved. Nobody said so: the tracker's task was a firm-wide
category ("Project Management") or blank. Such rows become unclassified (counted neither for nor
against the firm) until someone maps their task. Their task was kept at the start of the note and
cannot be told apart from the note reliably, so it stays there.
"""

from django.db import migrations


def unclassify(apps, schema_editor):
    TimeEntry = apps.get_model("engagements", "TimeEntry")
    TimeEntry.objects.filter(
        import_key__isnull=False,
        scope_item__isnull=True,
        change_request__isnull=True,
        classification="",
    ).update(classification="unclassified")


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0004_time_classification_and_task_mappings"),
    ]

    operations = [migrations.RunPython(unclassify, migrations.RunPython.noop)]
