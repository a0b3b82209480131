"""An objective no longer stores "submitted": whether it awaits approval is read from its
record versions (isova.records). Stored "submitted" objectives become drafts again; their
submitted version keeps them shown as "Submitted for approval"."""

from django.db import migrations


def submitted_to_draft(apps, schema_editor):
    Objective = apps.get_model("objectives", "Objective")
    Objective.objects.filter(status="submitted").update(status="draft")


class Migration(migrations.Migration):
    dependencies = [("objectives", "0001_initial")]

    operations = [migrations.RunPython(submitted_to_draft, migrations.RunPython.noop)]
