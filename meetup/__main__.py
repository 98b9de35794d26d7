"""Entry point of the ``meetup`` console script.

The server commands run on gevent; gevent must patch the standard library before anything
else imports it, so this module decides that first and imports the CLI afterwards.
"""

from __future__ import annotations

import sys

SERVER_COMMANDS = {"serve", "demo", "venue"}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in SERVER_COMMANDS:
        import gevent
        from gevent import monkey

        # The server spawns a greenlet per socket message; recording each one's spawning
        # stack (gevent's default, for debugging) cost about 6 % of a note burst (py-spy).
        gevent.config.track_greenlet_tree = False
        monkey.patch_all()
    from meetup.cli import cli

    cli(prog_name="meetup")


if __name__ == "__main__":
    main()
