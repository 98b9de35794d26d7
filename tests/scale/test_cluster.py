"""Scale-out for real: two gevent workers on PostgreSQL, Redis as the Socket.IO message queue,
and nginx (ip_hash, websocket upgrade) in front, all started on loopback by the test.

A phone on worker 1 writes a note; its table mate on worker 2 receives it through Redis. A
phone behind nginx on long-polling (then upgraded) gets the same, and the organiser's phase
change on one worker reaches phones on every worker.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pytest
import requests
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup, Note, Phase
from meetup.services import joining, meetups, organisers, phases, tables
from tests.servers import (
    MEETUP_BIN,
    ROOT,
    LiveServer,
    free_port,
    inprocess_app,
    server_env,
)
from tests.socket_clients import Socket, join, log_in

PASSWORD = "cluster-test-password"


@dataclass
class Address:
    base_url: str


@dataclass
class Cluster:
    workers: list[LiveServer]
    balancer: Address
    database_url: str
    secret: str


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise RuntimeError("nginx is not installed; run `make system-deps`")
    return found


@pytest.fixture(scope="module")
def cluster(postgres_server: str, redis_url: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    import psycopg

    name = f"meetup_cluster_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(postgres_server.replace("+psycopg", "") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{postgres_server}/{name}"
    work = tmp_path_factory.mktemp("cluster")
    secret = "cluster-secret"
    workers = []
    for i in range(2):
        port = free_port()
        env = server_env(work, port, MEETUP_DATABASE_URL=database_url,
                         MEETUP_SECRET_KEY=secret, MEETUP_MESSAGE_QUEUE=redis_url,
                         MEETUP_PROXY_COUNT="1")
        if i == 0:
            subprocess.run([str(MEETUP_BIN), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                           capture_output=True)
        workers.append(LiveServer(f"http://127.0.0.1:{port}", database_url, env,
                                  work / f"worker{i}.log"))
    for worker in workers:
        worker.start()

    run_dir = Path(tempfile.mkdtemp(prefix="meetup-nginx-"))
    listen = free_port()
    upstream = "\n".join(f"        server {w.base_url.removeprefix('http://')};" for w in workers)
    config = Template((ROOT / "deploy" / "nginx.conf.template").read_text()).safe_substitute(
        RUN_DIR=str(run_dir), LISTEN_PORT=str(listen), UPSTREAM_SERVERS=upstream)
    (run_dir / "nginx.conf").write_text(config)
    nginx = subprocess.Popen([_nginx_binary(), "-c", str(run_dir / "nginx.conf"), "-p",
                              str(run_dir), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    balancer = Address(f"http://127.0.0.1:{listen}")
    for _ in range(100):
        try:
            if requests.get(balancer.base_url + "/", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if nginx.poll() is not None:
            raise RuntimeError(nginx.stderr.read().decode())
        time.sleep(0.1)
    try:
        yield Cluster(workers, balancer, database_url, secret)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for worker in workers:
            worker.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def seed_app(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with inprocess_app(cluster.database_url, cluster.secret,
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


@pytest.fixture
def sockets() -> Iterator[list[Socket]]:
    opened: list[Socket] = []
    yield opened
    for sock in opened:
        sock.close()


def test_a_note_written_on_one_worker_reaches_table_mates_on_every_worker(
        cluster: Cluster, seed_app: Flask, sockets: list[Socket]) -> None:
    organiser = organisers.create_organiser(db.session, f"org-{uuid.uuid4().hex[:6]}@example.org",
                                            PASSWORD)
    meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
    db.session.commit()
    one, two = cluster.workers

    # Three phones join over HTTP: two straight at the workers, one through nginx.
    cookies = [join(one, meetup, "Anna Jansen", "leerkracht_po", "OBS De Regenboog"),
               join(two, meetup, "Bram de Boer", "jeugdwerk", "Jongerenwerk Hilversum"),
               join(cluster.balancer, meetup, "Carla Çelik", "ggd_jgz", "GGD Gooi")]
    db.session.expire_all()
    meetup = db.session.get(Meetup, meetup.id)
    for person in meetup.participants:
        joining.choose_theme(db.session, person, "taal")
    tables.form_tables(db.session, meetup)
    phases.set_phase(db.session, meetup, Phase.ROUND_1)
    db.session.commit()
    assert len({p.table_id for p in meetup.participants}) == 1  # three people: one table

    anna = Socket(one, cookies[0], meetup.id).connect()
    bram = Socket(two, cookies[1], meetup.id).connect()
    carla = Socket(cluster.balancer, cookies[2], meetup.id)
    carla.client.connect(cluster.balancer.base_url, headers=carla.headers, auth=carla.auth,
                         transports=["polling", "websocket"], wait_timeout=10)
    sockets.extend([anna, bram, carla])
    for phone in (anna, bram, carla):
        phone.wait(lambda p=phone: p.events("snapshot"))

    note = str(uuid.uuid4())
    ack = anna.write("note.create", {"note": note, "round": "happens",
                                     "text": "Voorleesouders in de bibliotheek"})
    assert ack["note"]["uuid"] == note
    for mate in (bram, carla):
        received = mate.wait(lambda m=mate: [e for e in m.events("note")
                                             if e["note"]["uuid"] == note])
        assert received[0]["note"]["text"] == "Voorleesouders in de bibliotheek"
    assert db.session.query(Note).filter_by(uuid=uuid.UUID(note)).count() == 1

    # The organiser on worker 2 moves to round 2: every phone hears it, wherever it is.
    boss = Socket(two, log_in(two, meetup, PASSWORD), meetup.id, "organiser").connect()
    sockets.append(boss)
    boss.write("phase.set", {"phase": "round_2"})
    for phone in (anna, bram, carla):
        assert phone.wait(lambda p=phone: [e for e in p.events("phase")
                                           if e["phase"] == "round_2"])
