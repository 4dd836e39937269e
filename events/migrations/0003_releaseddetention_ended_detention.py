from django.db import migrations, models

# Rows named before this migration keep False: whether their release ended the
# detention or an editor recorded the release first cannot be told apart now,
# so retracting such a release leaves their detentions as they are.


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="releaseddetention",
            name="ended_detention",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Whether publishing the release ended this detention; retracting the release undoes that.",
            ),
        ),
        migrations.AddField(
            model_name="historicalreleaseddetention",
            name="ended_detention",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Whether publishing the release ended this detention; retracting the release undoes that.",
            ),
        ),
    ]
