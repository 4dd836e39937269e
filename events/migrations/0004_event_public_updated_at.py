import django.utils.timezone
from django.db import migrations, models

# A feed entry's "updated" moved with every save, internal notes included
# (issue #13, hole 8); from now on only changes the public sees move it. The
# events there are start from their last save.


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_releaseddetention_ended_detention"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="public_updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunSQL("UPDATE events_event SET public_updated_at = updated_at", migrations.RunSQL.noop),
    ]
