"""The background vector job's own process: ``python -m meetup.services.vector_child``.

Started by :mod:`meetup.services.note_vectors`' worker, at the lowest CPU priority (nice 19).
A process of its own, not a thread: a low-priority thread of the server would share the
server's GIL, and when the OS pauses it while it holds the GIL the event loop waits with it
(measured: the realtime benchmark's note acks slowed by half with the job in a thread). Here
the phones' writes never wait for it.

Protocol over stdin/stdout, one line each: first the child writes ``{"key": ..., "dim": ...}``
(``key`` null: no model here), then for every JSON list of texts it reads, it writes the
texts' vectors as base64 of float16 rows (:func:`embeddings.to_bytes`).
"""

from __future__ import annotations

import base64
import json
import os
import sys


def main() -> None:
    try:
        os.nice(19)
    except (AttributeError, OSError):  # pragma: no cover - not on POSIX
        pass
    from meetup.services import embeddings

    model = embeddings.backend()
    out = sys.stdout.buffer
    hello = {"key": model.key if model else None, "dim": model.dim if model else 0}
    out.write(json.dumps(hello).encode() + b"\n")
    out.flush()
    if model is None:
        return
    for line in sys.stdin.buffer:
        texts = json.loads(line)
        out.write(base64.b64encode(embeddings.to_bytes(model.embed(texts))) + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
