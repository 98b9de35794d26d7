"""``meetup venue`` (what ``make venue`` calls): the laptop is the server at a venue without
internet.

A thin face over :mod:`meetup.services.venue`: find the laptop's address on the venue's
network, point the QR code there, listen on every interface, say whether a second address
reaches the server (guest Wi-Fi often isolates its clients), keep rolling backups on a second
folder (a USB stick), then serve like ``meetup demo``.

It is a command of the top-level group, not of the app: the address must be known before the
app is built (the QR code, the allowed socket origins and the page's CSP all depend on it).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import click


def _echo_choice(choice: Any, url: str) -> None:
    click.echo("")
    click.echo("=" * 64)
    click.echo(f"  Phones join at:  {url}")
    click.echo("=" * 64)
    if choice.how == "none":
        click.echo("WARNING: this laptop is on no network. Phones cannot reach it.\n"
                   "  Connect it to the venue's Wi-Fi (or start a hotspot on it or on a "
                   "phone), then start `make venue` again.")
    elif choice.how == "given":
        click.echo("  (the address given with --address)")
    else:
        how = {"default-route": "the network with the default route",
               "private": "the first private network address",
               "other": "the only network address"}[choice.how]
        click.echo(f"  Found on interface {choice.interface}: {how}.")
    if choice.others:
        click.echo("  This laptop also has: "
                   + ", ".join(f"{i.address} ({i.name})" for i in choice.others))
        click.echo("  Phones on another network? Restart with --address ADDRESS.")


def _report_probe(choice: Any, port: int, probe_from: tuple[str, ...]) -> None:
    from meetup.services import venue

    sources = venue.probe_sources(choice, probe_from)
    results = [venue.probe(choice.address, port, source) for source in sources]
    suspected = venue.isolation_suspected(results)
    if suspected is None:
        click.echo("  Reachability: no second address on this laptop to test from. Scan the QR "
                   "code with your own phone before people arrive: this window says when the "
                   "first phone reaches the laptop.")
        return
    for result in results:
        status = "ok" if result.ok else f"FAILED ({result.detail})"
        click.echo(f"  Reached {result.target}:{port} from {result.source}: {status}")
    if suspected:
        click.echo(
            "WARNING: the network seems to isolate its clients (common on guest Wi-Fi): "
            f"phones cannot reach this laptop at {choice.address}:{port}.\n"
            "  Fix: use a network without client isolation (ask the venue for the staff "
            "network, or to switch off 'AP isolation'), or start a hotspot on the laptop or a "
            "phone and let everyone join that one. Allow incoming connections on port "
            f"{port} in the laptop's firewall.")


class FirstPhoneNotice:
    """WSGI middleware: says once in the terminal when a request arrives from an address that
    is not the laptop's own, proof that phones reach the laptop over the network."""

    def __init__(self, app: Any, own: set[str]) -> None:
        self.app = app
        self.own = own
        self.seen = False
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not self.seen:
            remote = environ.get("REMOTE_ADDR", "")
            if remote and remote not in self.own and not remote.startswith("127."):
                with self._lock:
                    if not self.seen:
                        self.seen = True
                        click.echo(f"A phone reached the laptop (from {remote}): the network "
                                   "lets phones through.")
        return self.app(environ, start_response)


@click.command("venue")
@click.option("--port", type=int, default=lambda: int(os.environ.get("MEETUP_PORT", "5000")),
              show_default="5000 or MEETUP_PORT", help="Port to listen on.")
@click.option("--address", default=None,
              help="The laptop's address phones should use (default: found by itself).")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A second folder (a USB stick) that also receives every rolling backup.")
@click.option("--backup-interval", type=int, default=60, show_default=True,
              help="Seconds between rolling backups (only when something changed).")
@click.option("--probe-from", multiple=True,
              help="A second address of this laptop to test reachability from (repeatable; "
                   "default: its other network addresses).")
@click.option("--instance-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the database, secret key and backups (default: instance/).")
def venue_command(port: int, address: str | None, backup_dir: Path | None,
                  backup_interval: int, probe_from: tuple[str, ...],
                  instance_dir: Path | None) -> None:
    """Run the evening on this laptop: phones join over the venue's network, no internet."""
    from meetup.services import venue

    choice = venue.choose_address(venue.local_interfaces(), venue.default_route_address(),
                                  given=address)
    url = venue.public_url(choice.address, port)
    if backup_dir is not None:
        backup_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update({"MEETUP_HOST": "0.0.0.0", "MEETUP_PORT": str(port)})
    override: dict[str, Any] = {
        "PUBLIC_URL": url,
        # The laptop's own browser may open localhost; phones come in on the LAN address.
        "SOCKETIO_ALLOWED_ORIGINS": [url, f"http://localhost:{port}",
                                     f"http://127.0.0.1:{port}"],
        "BACKUP_INTERVAL": backup_interval,
        "BACKUP_COPY_DIR": str(backup_dir) if backup_dir else None,
    }
    if instance_dir is not None:
        override["INSTANCE_PATH"] = str(instance_dir.resolve())
    from flask_migrate import upgrade

    from meetup import create_app
    from meetup.cli import print_urls, seed_demo, serve

    app = create_app(override)
    own = {i.address for i in venue.local_interfaces()} | {choice.address}
    app.wsgi_app = FirstPhoneNotice(app.wsgi_app, own)  # type: ignore[method-assign]
    with app.app_context():
        upgrade()
        # Tonight is a real evening: no fictional earlier one for it to follow on from.
        seeded = seed_demo(app, history=False)
        if seeded:
            click.echo(f"\nDemo organiser: {seeded[0]}")
            click.echo(f"Password (shown once, note it down): {seeded[1]}")
        print_urls(app)
    _echo_choice(choice, url)
    folder = Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")
    click.echo(f"  Backups every {backup_interval} s (when something changed): {folder}"
               + (f" and {backup_dir}" if backup_dir else "  (add --backup-dir for a USB stick)"))

    from meetup.extensions import socketio

    def check_reachability() -> None:
        if venue.wait_until_listening(port):
            _report_probe(choice, port, probe_from)

    if choice.reachable_by_phones:
        socketio.start_background_task(check_reachability)
    serve(app)
