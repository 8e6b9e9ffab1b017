"""``schwarmdesk bench search`` end to end on a tiny text set (SQLite, lexical only)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from schwarmdesk.search.bench import (
    STAGES,
    BenchConfig,
    BenchError,
    DocumentStream,
    generate_documents,
    load_text_file,
    run_bench,
    select_queries,
)

TEXTS = Path(__file__).parent / "data" / "bench_texts.jsonl"


def test_documents_are_varied_and_deterministic() -> None:
    sources = load_text_file(TEXTS)

    first = generate_documents(sources, seed=7, count=300)
    again = generate_documents(sources, seed=7, count=300)

    assert first == again
    assert len({(d.title, d.body) for d in first}) == 300
    assert {d.language for d in first} == {"de", "en"}
    assert all(d.audience == ("agents" if d.kind == "conversation" else "public") for d in first)
    # a prefix of a longer stream is the same documents
    assert DocumentStream(sources, seed=7).take(1000)[:300] == first


def test_measured_queries_have_distinct_texts() -> None:
    sources = load_text_file(TEXTS)
    distinct = len({query.text for query in sources.queries})

    chosen = select_queries(sources, distinct)

    assert len({query.text for query in chosen}) == distinct
    # a small text set repeats its texts, after all distinct ones came once
    longer = select_queries(sources, distinct + 2)
    assert [q.text for q in longer[:distinct]] == [q.text for q in chosen]


@pytest.mark.django_db
def test_cached_terms_equal_the_analyser_on_the_whole_text() -> None:
    from schwarmdesk.search.bench import TermCache
    from schwarmdesk.search.indexing import analyze_for_index

    stream = DocumentStream(load_text_file(TEXTS), seed=3)
    cache = TermCache(stream)

    for document in stream.take(200):
        title_terms, body_terms = cache.terms(document)
        assert title_terms == analyze_for_index(document.title, document.language)
        assert body_terms == analyze_for_index(document.body, document.language)


def test_bench_on_two_tiny_sizes(tmp_path: Path) -> None:
    config = BenchConfig(
        sizes=(100, 200),
        backends=("sqlite",),
        texts=str(TEXTS),
        queries=12,
        warmup=2,
        sample=5,
        work=str(tmp_path),
        embedding_model="none",
    )
    stdout = io.StringIO()
    chart = tmp_path / "latency.png"

    result = run_bench(config, json_output=True, chart=chart, stdout=stdout)

    assert json.loads(stdout.getvalue()) == result
    rows = {(r["task"], r["system"], r["documents"]): r for r in result["results"]}
    assert sorted(rows) == [
        ("search-indexing-sqlite", "schwarmdesk", 100),
        ("search-indexing-sqlite", "schwarmdesk", 200),
        ("search-latency-100", "bm25", 100),
        ("search-latency-100", "schwarmdesk-sqlite", 100),
        ("search-latency-200", "bm25", 200),
        ("search-latency-200", "schwarmdesk-sqlite", 200),
    ]
    for size in (100, 200):
        ours = rows[(f"search-latency-{size}", "schwarmdesk-sqlite", size)]
        baseline = rows[(f"search-latency-{size}", "bm25", size)]
        assert ours["queries"] == 12
        assert baseline["queries"] == 12
        assert ours["semantic"] is False
        assert ours["vector_load_s"] == 0.0
        assert 0 < ours["p50_ms"] <= ours["p95_ms"]
        assert ours["per_second"] > 0
        assert ours["ratio_to_bm25"] == round(ours["p95_ms"] / baseline["p95_ms"], 2)
        assert set(ours["breakdown_mean_ms"]) == set(STAGES)
        assert ours["hits_per_query"] > 0
        assert rows[("search-indexing-sqlite", "schwarmdesk", size)]["sample"] == 5
    assert "lexical only" in result["notes"][0]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the throwaway database is gone
    assert not list(tmp_path.glob("run-sqlite-*"))


def test_backends_none_measures_the_baseline_alone(tmp_path: Path) -> None:
    from schwarmdesk.search.bench import _name_list

    # "none" is parsed as no back end at all
    assert _name_list("none") == ()
    config = BenchConfig(
        sizes=(100,),
        backends=(),
        texts=str(TEXTS),
        queries=5,
        warmup=1,
        work=str(tmp_path),
        embedding_model="none",
    )

    result = run_bench(config, json_output=True, stdout=io.StringIO())

    assert [(r["task"], r["system"]) for r in result["results"]] == [("search-latency-100", "bm25")]


def test_keep_then_reuse_measures_the_kept_database(tmp_path: Path) -> None:
    config = BenchConfig(
        sizes=(100,),
        backends=("sqlite",),
        texts=str(TEXTS),
        queries=5,
        warmup=1,
        sample=5,
        work=str(tmp_path),
        embedding_model="none",
        bm25=False,
        keep=True,
    )
    run_bench(config, json_output=True, stdout=io.StringIO())
    kept = json.loads((tmp_path / "kept-sqlite.json").read_text())
    database = Path(kept["SCHWARMDESK_DATABASE_URL"].removeprefix("sqlite:///"))
    assert database.exists()

    # a second run on the same database: nothing loaded for 100, 50 more for 150
    config.reuse, config.keep, config.sizes = True, False, (50, 100, 150)
    result = run_bench(config, json_output=True, stdout=io.StringIO())

    rows = {r["documents"]: r for r in result["results"] if r["task"].startswith("search-latency")}
    assert sorted(rows) == [100, 150]  # 50 is below what the database holds
    assert rows[100]["per_second"] == 0.0
    assert rows[150]["per_second"] > 0
    assert database.exists()  # a reused database is never removed


def test_reuse_without_a_kept_database_says_so(tmp_path: Path) -> None:
    config = BenchConfig(backends=("sqlite",), texts=str(TEXTS), work=str(tmp_path), reuse=True)
    with pytest.raises(BenchError, match="run once with --keep"):
        run_bench(config, json_output=True, stdout=io.StringIO())
