"""CPU-heavy work off the event loop: one helper for every service that needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def off_loop(function: Callable[..., T], *args: Any) -> T:
    """Run a CPU-heavy call in gevent's thread pool when gevent runs the server.

    The event loop keeps answering sockets meanwhile (hashlib's scrypt and NumPy/SciPy release
    the GIL; pure Python work still gets preempted every few milliseconds). Without gevent
    (tests, the CLI, the threading mode) the call runs in place.
    """
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a runtime dependency
        return function(*args)
    if not is_module_patched("socket"):
        return function(*args)
    return get_hub().threadpool.apply(function, args)  # type: ignore[no-any-return]
