"""Run scripts/install-server.sh in a temporary root against this machine's own services.

Everything the script writes lies below the root; its changes to the system go through the
``sys_*`` functions, which the hooks file written here redirects: PostgreSQL's superuser is
the tests' throwaway server (tests/db_servers.py), no system user is made, packages already
present are checked for real (and a missing one is only recorded), and ``systemctl`` is
tests/scale/fake_systemctl.py, which runs the commands the units run (there is no systemd as
PID 1 here). The release venvs are real venvs with the release tree installed (editable), its
dependencies taken from the test venv (a ``.pth`` line) instead of downloading them again.
The previous release comes from ``git archive`` of a fixed commit (PREVIOUS_RELEASE).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.scale.fake_systemctl import environment_file
from tests.scale.harness import Phone
from tests.servers import ROOT, free_port

SCRIPT = ROOT / "scripts" / "install-server.sh"
FAKE_SYSTEMCTL = Path(__file__).with_name("fake_systemctl.py")

HOOKS = """\
# Written by tests/scale/install_harness.py.
DATABASE_URL={database_url}
REDIS_URL={redis_url}
DB_NAME={db_name}
BASE_PORT={base_port}
HTTPS_PORT={https_port}
PYTHON={python}
CADDY_GLOBAL_OPTIONS="	admin off
	skip_install_trust
	auto_https disable_redirects
	default_bind 127.0.0.1
	http_port {http_port}
	https_port {https_port}
	servers {{
		protocols h1 h2
	}}"
TEST_LOG={root}/run/install-system.log
mkdir -p {root}/run
sys_install_packages() {{ echo "apt-get install $*" >> "$TEST_LOG"; }}
sys_user_exists() {{ [ -f {root}/run/user-created ]; }}
sys_create_user() {{ echo "adduser $SERVICE_USER" >> "$TEST_LOG"; touch {root}/run/user-created; }}
sys_chown() {{ echo "chown $*" >> "$TEST_LOG"; }}
sys_pg_sql() {{ psql '{pg_admin}' -XtAq -v ON_ERROR_STOP=1 -c "$1"; }}
sys_run_as_service() {{ "$@"; }}
sys_systemctl() {{ {test_python} {fake_systemctl} {root} "$@"; }}
sys_pip_install() {{
  purelib=$("$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo '{site_packages}' > "$purelib/test-dependencies.pth"
  "$1/bin/pip" install -q --no-deps -e "$2"
}}
"""


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports (the workers' 8001, 8002 ...)."""
    while True:
        first = free_port()
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first


#: The release before this work (no install script yet): the upgrade test installs it first.
#: A fixed commit, so that the test keeps upgrading from it after this branch is merged.
PREVIOUS_RELEASE = "892200cfeadd1695afb8eb8f8a6967f531e3d3ed"


@contextmanager
def release_source(commit: str = PREVIOUS_RELEASE) -> Iterator[Path]:
    """The source tree as it was at ``commit``, from ``git archive``."""
    folder = Path(tempfile.mkdtemp(prefix="meetup-release-"))
    try:
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Installation:
    """One installation in a temporary root; :meth:`run` runs the script on it."""

    root: Path
    postgres_server: str
    redis_url: str
    domain: str = "localhost"

    def __post_init__(self) -> None:
        self.db_name = f"meetup_install_{uuid.uuid4().hex[:6]}"
        self.https_port = free_port()
        self.base_port = consecutive_free_ports(4)
        host_port = self.postgres_server.removeprefix("postgresql+psycopg://postgres@")
        self.database_url = f"postgresql+psycopg://meetup@{host_port}/{self.db_name}"
        self.hooks = self.root.parent / f"{self.root.name}-hooks.sh"
        self.hooks.write_text(HOOKS.format(
            database_url=self.database_url, redis_url=self.redis_url, db_name=self.db_name,
            base_port=self.base_port, https_port=self.https_port, http_port=free_port(),
            python=sys._base_executable, root=self.root,  # type: ignore[attr-defined]
            pg_admin=f"postgresql://postgres@{host_port}/postgres",
            test_python=sys.executable, fake_systemctl=FAKE_SYSTEMCTL,
            site_packages=sysconfig.get_paths()["purelib"]))

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
               "MEETUP_INSTALL_ROOT": str(self.root), "MEETUP_INSTALL_HOOKS": str(self.hooks)}
        result = subprocess.run(["bash", str(SCRIPT), *args, self.domain], env=env,
                                capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"install-server.sh {args} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def systemctl(self, *args: str) -> None:
        subprocess.run([sys.executable, str(FAKE_SYSTEMCTL), str(self.root), *args], check=True)

    def stop_all(self) -> None:
        self.systemctl("stop-all")

    # -- what it wrote -----------------------------------------------------------------------

    @property
    def env_file(self) -> Path:
        return self.root / "etc" / "meetup" / "meetup.env"

    def settings(self) -> dict[str, str]:
        return environment_file(self.env_file)

    @property
    def units(self) -> Path:
        return self.root / "etc" / "systemd" / "system"

    @property
    def base_url(self) -> str:
        return f"https://{self.domain}:{self.https_port}"

    @property
    def ca_certificate(self) -> Path:
        return (self.root / "var" / "lib" / "caddy" / ".local" / "share" / "caddy" / "pki" /
                "authorities" / "local" / "root.crt")

    def worker_ports(self, workers: int = 2) -> list[int]:
        return [self.base_port + i for i in range(workers)]

    def current_release(self) -> str:
        return (self.root / "opt" / "meetup" / "current").resolve().name

    def http(self) -> requests.Session:
        """A client that trusts Caddy's local authority (and nothing else extra)."""
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace ``verify``
        session.verify = str(self.ca_certificate)
        return session

    def worker_pids(self, workers: int = 2) -> list[int]:
        state = self.root / "run" / "fake-systemd"
        return [int((state / f"meetup@{port}.service.pid").read_text())
                for port in self.worker_ports(workers)]

    def run_python(self, release: str, *argv: str) -> str:
        """A python file run by ``release``'s own interpreter with the installation's
        environment (as the units have it); returns what it printed."""
        python = self.root / "opt" / "meetup" / "releases" / release / "venv" / "bin" / "python"
        env = {"PATH": "/usr/bin:/bin", **self.settings()}
        done = subprocess.run([str(python), *argv], env=env, capture_output=True, text=True,
                              cwd=self.root)
        if done.returncode != 0:
            raise AssertionError(f"{argv} failed: {done.stdout}\n{done.stderr[-3000:]}")
        return done.stdout

    def phone(self, cookie: str, meetup_id: int) -> Phone:
        """A phone that reaches the server over wss:// through Caddy, trusting its local
        authority (also when it reconnects)."""
        phone = Phone(self, None, meetup_id)
        http = self.http()
        # The cookie lives in the session's jar: python-engineio deletes a Cookie header from
        # the headers it was given when it has a session, so a reconnect would carry none.
        name, value = cookie.split("=", 1)
        http.cookies.set(name, value)  # any host: cookielib matches "localhost" oddly
        phone.client.eio.http = http
        phone.client.eio.external_http = True  # else a reconnect forgets the authority
        return phone

    def unit_command(self, unit: str) -> tuple[list[str], dict[str, str], Path]:
        """What the unit runs (as fake_systemctl starts it)."""
        from tests.scale.fake_systemctl import FakeSystemd

        argv, env, workdir, _ = FakeSystemd(self.root).command(unit)
        return argv, env, workdir
