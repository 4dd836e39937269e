"""Two indexes for the registry's filters, read from the index alone on SQLite (no INCLUDE there) as on PostgreSQL.

- tracker_charge_article_key (article, detention): an article's detentions,
  the list the article filter starts from (events/filters.py: filter_article).
- tracker_person_named_region (region) of published people named in full:
  the people the region filter may match, whose kept rows
  (tracker_personcustody) then give the list in any order
  (events/registry.py: kept_people).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tracker", "0010_day_counts")]

    operations = [
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(fields=["article", "detention"], name="tracker_charge_article_key"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("identity_level__in", ["full"]), ("status", "published")),
                fields=["region"],
                include=("id",),
                name="tracker_person_named_region",
            ),
        ),
    ]
