"""Fill the impact-ordered postings from the stored analysed terms, then drop the old full-text
index (FTS5 table, triggers and vocabulary on SQLite; tsvector column and GIN on PostgreSQL).

The BM25 arithmetic is repeated here (not imported) so that this migration keeps doing what
it did when the application code moves on; it matches ``schwarmdesk.search.lexical``.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
MAX_TERM_CHARS = 200
BATCH = 500

SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS search_terms_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS terms_tsv",
]


def _frequencies(title_terms: str, body_terms: str) -> tuple[dict[str, float], float]:
    frequencies: dict[str, float] = {}
    for weight, text in ((TITLE_WEIGHT, title_terms), (1.0, body_terms)):
        for term in text.split():
            if len(term) <= MAX_TERM_CHARS:
                frequencies[term] = frequencies.get(term, 0.0) + weight
    return frequencies, sum(frequencies.values())


def fill_postings(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    document_model = apps.get_model("search", "SearchDocument")
    term_model = apps.get_model("search", "Term")
    posting_model = apps.get_model("search", "Posting")
    documents = document_model.objects.using(schema_editor.connection.alias)
    lengths = {}
    for pk, title_terms, body_terms in documents.values_list("pk", "title_terms", "body_terms"):
        lengths[pk] = _frequencies(title_terms, body_terms)
    if not lengths:
        return
    average = sum(length for _, length in lengths.values()) / len(lengths)
    counts: dict[str, int] = {}
    for frequencies, _ in lengths.values():
        for term in frequencies:
            counts[term] = counts.get(term, 0) + 1
    term_model.objects.bulk_create(
        [term_model(text=text, document_count=count) for text, count in sorted(counts.items())],
        batch_size=BATCH,
    )
    ids = dict(term_model.objects.values_list("text", "pk"))
    rows = []
    for pk, (frequencies, length) in lengths.items():
        documents.filter(pk=pk).update(term_count=length)
        norm = K1 * (1.0 - B + B * length / average) if average > 0 else K1
        rows.extend(
            posting_model(
                document_id=pk,
                term_id=ids[term],
                impact=frequency * (K1 + 1.0) / (frequency + norm),
            )
            for term, frequency in frequencies.items()
        )
    posting_model.objects.bulk_create(rows, batch_size=BATCH)


def drop_fulltext(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_lexical_postings")]
    operations = [
        migrations.RunPython(fill_postings, migrations.RunPython.noop),
        migrations.RunPython(drop_fulltext, migrations.RunPython.noop),
    ]
