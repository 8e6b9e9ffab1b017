"""The search index: one row per searchable thing, kept in the same transaction as the thing.

The analysed terms feed the lexical index in the database: one :class:`Term` row per distinct
term (with the number of documents that hold it) and one impact-ordered :class:`Posting` per
(document, term), written with the document (see :mod:`schwarmdesk.search.lexical`).
Embeddings are added later by the worker; a row without one is found lexically only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ARTICLE = "article", _("help article")
    QUESTION = "question", _("community question")
    ANSWER = "answer", _("community answer")
    CONVERSATION = "conversation", _("conversation")


class Audience(models.TextChoices):
    PUBLIC = "public", _("everyone")
    AGENTS = "agents", _("agents only")


class SearchDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    team_id = models.PositiveBigIntegerField(
        _("team"), null=True, blank=True, help_text=_("Agents outside this team do not see it.")
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    quality = models.FloatField(
        _("quality"), default=0.0, help_text=_("Prior from accepted/official/votes/feedback.")
    )
    title_terms = models.TextField(_("analysed title"), blank=True, editable=False)
    term_count = models.FloatField(
        _("weighted length"),
        default=0.0,
        editable=False,
        help_text=_("Title terms count three times; BM25 compares it with the average."),
    )
    body_terms = models.TextField(_("analysed text"), blank=True, editable=False)
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    chunk_embeddings = models.BinaryField(
        _("sentence embeddings"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("One vector per sentence (float32 rows), for documents of several sentences."),
    )
    embedding_model = models.CharField(_("embedding model"), max_length=50, blank=True)
    embedded_at = models.DateTimeField(_("embedded"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_unique_object"),
            models.CheckConstraint(
                condition=models.Q(audience__in=["public", "agents"]),
                name="search_audience_valid",
            ),
        ]
        indexes = [models.Index(fields=["kind", "audience"], name="search_kind_audience")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title[:60]}"


class Term(models.Model):
    """One distinct analysed (encoded) term of the lexical index."""

    text = models.CharField(_("term"), max_length=200, unique=True)
    document_count = models.PositiveIntegerField(
        _("documents"), default=0, help_text=_("How many documents hold the term (for idf).")
    )

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.text


class Posting(models.Model):
    """A term in a document, with its BM25 term-frequency part (``impact``) precomputed.

    The (term, public, impact) index lets a query read only the best documents of each term
    instead of ranking every document that holds it; ``public`` copies the document's audience
    so that a customer's query reads the top of the public documents directly, however many
    agent-only conversations hold the term (who may see a hit is still decided on the document
    table).  The primary key (document, term) serves exact scoring of given documents and
    deleting a document's postings.
    """

    pk = models.CompositePrimaryKey("document", "term")
    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="postings", db_index=False
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", db_index=False)
    impact = models.FloatField(_("impact"))
    public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [
            models.Index(
                fields=["term", "public", "-impact", "document"], name="search_posting_top"
            )
        ]

    def __str__(self) -> str:
        return f"{self.term_id}@{self.document_id}"
