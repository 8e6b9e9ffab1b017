"""Postings carry their document's audience, so that a customer's query reads the top postings
of public documents directly (index term, public, impact)."""

from django.db import migrations, models

MARK_AGENT_ONLY = (
    "UPDATE search_posting SET public = false WHERE document_id IN "
    "(SELECT id FROM search_searchdocument WHERE audience = 'agents')"
)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_postings_replace_fulltext"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="posting",
            name="search_posting_impact",
        ),
        migrations.AddField(
            model_name="posting",
            name="public",
            field=models.BooleanField(default=True, verbose_name="public"),
        ),
        migrations.RunSQL(MARK_AGENT_ONLY, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                fields=["term", "public", "-impact", "document"], name="search_posting_top"
            ),
        ),
    ]
