#!/bin/sh
# Install the Debian packages the test suite needs, when any is missing:
# Chromium for the browser tests, fonts, poppler-utils (pdftoppm/pdftotext),
# PostgreSQL, Redis and nginx for the scale-out tests, Caddy and systemd-analyze for the
# install script's tests.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
[ -d /usr/share/fonts/truetype/noto ] || missing="$missing fonts-noto-core"
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] && [ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || missing="$missing fonts-droid-fallback fonts-symbola"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
# node runs the page logic's unit tests (node --test tests/js/).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
# ip (network namespaces: the venue tests) and openssl (test certificates for meetup doctor).
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing="$missing iproute2"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
# Caddy (the HTTPS proxy of scripts/install-server.sh) and systemd-analyze (its units are
# checked with `systemd-analyze verify`), for tests/scale/test_install_server.py.
command -v caddy >/dev/null 2>&1 || missing="$missing caddy"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
[ -z "$missing" ] && exit 0
echo "Installing system packages:$missing"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Need root (or sudo) to install:$missing" >&2; exit 1; fi
fi
# Another apt/dpkg (the machine's own updater) may hold the lock: wait and say so, instead
# of failing; DPkg::Lock::Timeout covers the moment between that check and apt-get itself.
here=$(dirname "$0")
$SUDO sh "$here/wait-for-apt-lock.sh"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO sh "$here/wait-for-apt-lock.sh"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
