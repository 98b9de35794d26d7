"""The floor of the stack: a bare Flask-SocketIO relay on gevent with one SQLite commit per note.

On ``note.create`` it INSERTs the note with the standard sqlite3 module (WAL, synchronous=FULL),
commits, acknowledges ``{ok, seq}`` and emits the note to the table room. No identity, no
checks, no ORM: what ``meetup serve`` is compared with in ``realtime_load.py``.
Usage: python benchmarks/bare_server.py DATABASE_FILE PORT
"""

from gevent import monkey

monkey.patch_all()

import sqlite3  # noqa: E402
import sys  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")
db = sqlite3.connect(sys.argv[1], isolation_level=None, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS notes (seq INTEGER PRIMARY KEY, uuid TEXT UNIQUE, "
           "table_id INTEGER, text TEXT)")
tables: dict[str, int] = {}


@socketio.on("connect")
def on_connect(auth):
    tables[request.sid] = int(auth["table"])
    join_room(f"table:{tables[request.sid]}")
    emit("snapshot", {"seq": 0, "notes": []})


@socketio.on("note.create")
def on_note(data):
    table = tables[request.sid]
    db.execute("BEGIN IMMEDIATE")
    seq = db.execute("INSERT INTO notes (uuid, table_id, text) VALUES (?, ?, ?)",
                     (data["note"], table, data["text"])).lastrowid
    db.execute("COMMIT")
    emit("note", {"seq": seq, "note": {"uuid": data["note"], "text": data["text"]}},
         to=f"table:{table}")
    return {"ok": True, "seq": seq}


if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_output=False)
