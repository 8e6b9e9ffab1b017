"""SQLite: a read-only view of the full-text vocabulary (how many documents hold each term),
so a query can leave out terms that nearly every document contains. PostgreSQL reads the same
from its planner statistics (pg_stats.most_common_elems), so it needs nothing here."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab('search_fts', 'row')"
        )


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_vocab")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sentence_embeddings")]
    operations = [migrations.RunPython(forward, backward)]
