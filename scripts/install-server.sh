#!/bin/bash
# Install Meetup on a fresh Debian 12 server, as root:
#
#     scripts/install-server.sh meetup.example.org
#
# PostgreSQL and Redis from Debian, one `meetup serve` worker per core (systemd template unit
# meetup@.service, ports 8001...), Caddy in front with automatic HTTPS, a secret key made
# once, nightly backups kept 14 days, the mail scheduler as a timer, and the first organiser
# account (its password printed once). Running it again changes nothing that is right.
#
#     scripts/install-server.sh --upgrade meetup.example.org
#
# Upgrades to this checkout's version: a backup first, the new release installed beside the
# old one (/opt/meetup/releases/<release>, `current` points at the one in use), migrations
# applied, then the workers restarted one at a time (phones reconnect to a running worker). A
# failed migration puts back the backup and keeps the old release. Refused while an evening
# runs, unless --force.
#
# Options:
#   --workers N      number of workers (default: one per core)
#   --email ADDRESS  the first organiser's e-mail address (default: organiser@DOMAIN)
#   --tls internal   a certificate from Caddy's own authority instead of Let's Encrypt (an
#                    intranet without public DNS; browsers must trust Caddy's root first)
#   --source DIR     the source tree to install (default: this checkout)
#   --release NAME   the release's name (default: version + commit of the source)
#   --upgrade        upgrade an installation (see above)
#   --force          upgrade even while an evening runs
#   --dry-run        say what would change, change nothing
#
# For tests (docs/deploy.md, tests/scale/test_install_server.py): every path lies below
# MEETUP_INSTALL_ROOT (default: /), and MEETUP_INSTALL_HOOKS names a shell file sourced after
# the defaults: it may change any setting below and redefine the sys_* functions, which make
# every change to the system outside the files this script writes.
set -euo pipefail

# -- settings (a hooks file may change them) ----------------------------------------------
ROOT="${MEETUP_INSTALL_ROOT:-}"
ROOT="${ROOT%/}"
SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE_USER=meetup
APP_DIR="$ROOT/opt/meetup"
ETC_DIR="$ROOT/etc/meetup"
ENV_FILE="$ETC_DIR/meetup.env"
STATE_DIR="$ROOT/var/lib/meetup"
BACKUP_DIR="$ROOT/var/backups/meetup"
UNIT_DIR="$ROOT/etc/systemd/system"
CADDYFILE="$ROOT/etc/caddy/Caddyfile"
DB_NAME=meetup
# Peer authentication over PostgreSQL's socket: the meetup system user is the database role
# of the same name, so there is no database password to keep.
DATABASE_URL="postgresql+psycopg://meetup@/meetup?host=/var/run/postgresql"
REDIS_URL="redis://127.0.0.1:6379/0"
BASE_PORT=8001
HTTPS_PORT=443
# Lines for Caddy's global options block; the admin endpoint stays on loopback (the Debian
# unit's `systemctl reload caddy` uses it).
CADDY_GLOBAL_OPTIONS="	admin localhost:2019"
KEEP_RELEASES=3
PACKAGES="python3 python3-venv postgresql redis-server caddy"
PYTHON=python3
WAIT_FOR_WORKER_S=90

# -- the changes to the system (a hooks file may redefine these) ---------------------------
sys_install_packages() {  # PACKAGE...: the Debian packages that are missing
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}
sys_missing_packages() {  # PACKAGE...: print those not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
sys_user_exists() { id -u "$SERVICE_USER" >/dev/null 2>&1; }
sys_create_user() {
  adduser --system --group --home "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
    --quiet "$SERVICE_USER"
}
sys_chown() { chown "$@"; }  # OWNER PATH...
sys_pg_sql() {  # SQL: run as PostgreSQL's superuser, print the rows
  (cd / && runuser -u postgres -- psql -XtAq -v ON_ERROR_STOP=1 -c "$1")
}
sys_run_as_service() {  # COMMAND...: as the service user, with the environment already set
  runuser -u "$SERVICE_USER" -- "$@"
}
sys_systemctl() { systemctl "$@"; }
sys_python_venv() { "$PYTHON" -m venv "$1"; }  # DIR
sys_pip_install() {  # VENV APP: the release's tree (editable) and its scale-out extras
  "$1/bin/pip" install -q --upgrade pip
  "$1/bin/pip" install -q -e "$2[scale]"
}

# -- helpers -------------------------------------------------------------------------------
DRY_RUN=0
CHANGES=()
say() { printf '%s\n' "$*"; }
die() { printf 'install-server: %s\n' "$*" >&2; exit 1; }
changed() { CHANGES+=("$1"); say "  * $1"; }
act() {  # DESCRIPTION COMMAND...: make a change (or only say it, with --dry-run)
  local what=$1; shift
  if [ "$DRY_RUN" = 1 ]; then say "  would: $what"; CHANGES+=("$what"); return 0; fi
  "$@"
  changed "$what"
}

ensure_dir() {  # DIR MODE [OWNER]
  local dir=$1 mode=$2 owner=${3:-}
  if [ ! -d "$dir" ]; then
    act "create $dir" mkdir -p -m "$mode" "$dir"
    [ -n "$owner" ] && [ "$DRY_RUN" = 0 ] && sys_chown "$owner" "$dir"
  elif [ "$(stat -c %a "$dir")" != "$mode" ]; then
    act "set mode $mode on $dir" chmod "$mode" "$dir"
  fi
  return 0
}

put_file() {  # DEST MODE < content: write when different (atomically), fix the mode
  local dest=$1 mode=$2 tmp
  tmp=$(mktemp)
  cat > "$tmp"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
    if [ "$(stat -c %a "$dest")" != "$mode" ]; then act "set mode $mode on $dest" chmod "$mode" "$dest"; fi
    return 1  # unchanged
  fi
  if [ "$DRY_RUN" = 1 ]; then rm -f "$tmp"; act "write $dest"; return 0; fi
  mkdir -p "$(dirname "$dest")"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dest"
  changed "wrote $dest"
  return 0
}

render() {  # TEMPLATE: print it with every @NAME@ replaced by $TPL_NAME
  "$PYTHON" - "$1" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
sys.stdout.write(re.sub(r"@([A-Z_]+)@", lambda m: os.environ["TPL_" + m.group(1)], text))
PY
}

env_value() {  # NAME: its value in the env file, if any
  [ -f "$ENV_FILE" ] && sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
  return 0
}

as_service() {  # COMMAND...: as the service user, with the installation's environment
  (
    local line
    # Read as systemd reads it (KEY=VALUE, no shell quoting), not sourced.
    while IFS= read -r line; do
      case "$line" in ''|'#'*) ;; *=*) export "${line?}" ;; esac
    done < "$ENV_FILE"
    cd "$STATE_DIR"
    sys_run_as_service "$@"
  )
}

release_name() {  # the name of the release in $SOURCE (version + commit when it has one)
  if [ -n "$RELEASE" ]; then echo "$RELEASE"; return; fi
  local version commit=""
  if [ -d "$SOURCE" ]; then
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SOURCE/pyproject.toml" | head -n 1)
    commit=$(git -C "$SOURCE" rev-parse --short=10 HEAD 2>/dev/null || true)
  fi
  [ -n "$version" ] || die "cannot tell the version of $SOURCE (use --release NAME)"
  echo "${version}${commit:+-$commit}"
}

current_release() {
  [ -L "$APP_DIR/current" ] && basename "$(readlink "$APP_DIR/current")"
  return 0
}

worker_ports() { seq "$BASE_PORT" $((BASE_PORT + WORKERS - 1)); }

# -- the steps -----------------------------------------------------------------------------
step_packages() {
  local missing
  missing=$(sys_missing_packages $PACKAGES | tr '\n' ' ')
  if [ -n "${missing// /}" ]; then
    # shellcheck disable=SC2086
    act "install Debian packages: $missing" sys_install_packages $missing
  fi
}

step_user() {
  sys_user_exists || act "create the system user $SERVICE_USER" sys_create_user
}

step_dirs() {
  ensure_dir "$APP_DIR/releases" 755
  ensure_dir "$ETC_DIR" 700
  ensure_dir "$STATE_DIR" 750 "$SERVICE_USER:$SERVICE_USER"
  ensure_dir "$BACKUP_DIR" 750 "$SERVICE_USER:$SERVICE_USER"
}

step_database() {
  local role db
  role=$(sys_pg_sql "SELECT 1 FROM pg_roles WHERE rolname = '$SERVICE_USER'" 2>/dev/null || true)
  [ "$role" = 1 ] || act "create the database role $SERVICE_USER" \
    sys_pg_sql "CREATE ROLE \"$SERVICE_USER\" LOGIN"
  db=$(sys_pg_sql "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" 2>/dev/null || true)
  [ "$db" = 1 ] || act "create the database $DB_NAME" \
    sys_pg_sql "CREATE DATABASE \"$DB_NAME\" OWNER \"$SERVICE_USER\" ENCODING 'UTF8' TEMPLATE template0"
}

step_env() {
  local secret
  secret=$(env_value MEETUP_SECRET_KEY)
  # Made once and kept: it signs every phone's and organiser's cookie on every worker.
  [ -n "$secret" ] || secret=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')
  {
    say "# Meetup's settings, read by every worker and timer (systemd EnvironmentFile)."
    say "# Written by scripts/install-server.sh: lines of your own below are kept."
    say "# The secret key was generated once: keep it (changing it logs everyone out)."
    say "MEETUP_DATABASE_URL=$DATABASE_URL"
    say "MEETUP_MESSAGE_QUEUE=$REDIS_URL"
    say "MEETUP_SECRET_KEY=$secret"
    say "MEETUP_PUBLIC_URL=$PUBLIC_URL"
    say "MEETUP_SECURE_COOKIES=1"
    say "MEETUP_PROXY_COUNT=1"
    say "MEETUP_BACKUP_DIR=$STATE_DIR/rolling-backups"
    say "MEETUP_NIGHTLY_BACKUP_DIR=$BACKUP_DIR"
    if [ -f "$ENV_FILE" ]; then
      grep -v -E '^(#|$|MEETUP_(DATABASE_URL|MESSAGE_QUEUE|SECRET_KEY|PUBLIC_URL|SECURE_COOKIES|PROXY_COUNT|BACKUP_DIR|NIGHTLY_BACKUP_DIR)=)' \
        "$ENV_FILE" || true
    fi
  } | put_file "$ENV_FILE" 600 || true
}

install_release() {  # NAME: the source tree in releases/NAME/app, its venv in releases/NAME/venv
  local dir="$APP_DIR/releases/$1"
  [ -f "$dir/installed" ] && return 0
  if [ "$DRY_RUN" = 1 ]; then act "install $SOURCE as release $1 in $dir"; return 0; fi
  rm -rf "$dir"  # what an interrupted run left (no `installed` mark)
  mkdir -p "$dir/app"
  # The app runs from its tree (templates/, static/, migrations/ sit beside the package).
  tar -C "$SOURCE" --exclude=./.venv --exclude=./.git --exclude=./instance --exclude=./build \
    --exclude=./dist --exclude=./node_modules --exclude=./tests --exclude=./benchmarks \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude='*.mo' -cf - . | tar -C "$dir/app" -xf -
  sys_python_venv "$dir/venv"
  sys_pip_install "$dir/venv" "$dir/app"
  # The Dutch catalogue is compiled here (the .mo files are not kept in git).
  "$dir/venv/bin/python" - <<'PY'
import pathlib, meetup
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
for po in pathlib.Path(meetup.__file__).parent.glob("translations/*/LC_MESSAGES/*.po"):
    with po.open("rb") as src:
        catalog = read_po(src)
    with po.with_suffix(".mo").open("wb") as out:
        write_mo(out, catalog)
PY
  # The workers run as the service user, who cannot write here: compile once, as root.
  "$dir/venv/bin/python" -m compileall -q "$dir/app/meetup" >/dev/null || true
  echo "$1" > "$dir/installed"
  changed "installed release $1 in $dir"
}

switch_current() {  # NAME: point $APP_DIR/current at releases/NAME (atomically)
  [ "$(current_release)" = "$1" ] && return 0
  if [ "$DRY_RUN" = 1 ]; then act "point $APP_DIR/current at release $1"; return 0; fi
  ln -sfn "releases/$1" "$APP_DIR/.current-new"
  mv -T "$APP_DIR/.current-new" "$APP_DIR/current"
  changed "pointed $APP_DIR/current at release $1"
}

migrate() {  # NAME: apply the migrations with release NAME's code
  [ "$DRY_RUN" = 1 ] && { say "  would: apply the database migrations"; return 0; }
  as_service "$APP_DIR/releases/$1/venv/bin/meetup" db upgrade
}

UNITS_CHANGED=0
step_units() {  # the systemd units, from $SOURCE_TREE/deploy/systemd
  local unit
  export TPL_SERVICE_USER="$SERVICE_USER" TPL_ENV_FILE="$ENV_FILE" TPL_STATE_DIR="$STATE_DIR" \
    TPL_APP_DIR="$APP_DIR" TPL_BACKUP_DIR="$BACKUP_DIR"
  for unit in meetup@.service meetup-backup.service meetup-backup.timer meetup-mail.service \
      meetup-mail.timer; do
    if render "$TEMPLATES/systemd/$unit" | put_file "$UNIT_DIR/$unit" 644; then
      UNITS_CHANGED=1
    fi
  done
  if [ "$UNITS_CHANGED" = 1 ]; then act "reload systemd's units" sys_systemctl daemon-reload; fi
  return 0
}

CADDY_CHANGED=0
step_caddy() {
  local upstreams port
  upstreams=$(for port in $(worker_ports); do printf '127.0.0.1:%s ' "$port"; done)
  export TPL_GLOBAL_OPTIONS="$CADDY_GLOBAL_OPTIONS" TPL_UPSTREAMS="${upstreams% }" \
    TPL_SITE_ADDRESS="$SITE_ADDRESS" TPL_SITE_TLS=""
  [ "$TLS" = internal ] && TPL_SITE_TLS="	tls internal"
  if render "$TEMPLATES/Caddyfile.template" | put_file "$CADDYFILE" 644; then CADDY_CHANGED=1; fi
}

ensure_running() {  # UNIT: enabled and running
  sys_systemctl is-enabled --quiet "$1" 2>/dev/null || act "enable $1" sys_systemctl enable "$1"
  sys_systemctl is-active --quiet "$1" 2>/dev/null || act "start $1" sys_systemctl start "$1"
}

wait_for_worker() {  # PORT: until the worker there answers
  "$APP_DIR/current/venv/bin/python" - "$1" "$WAIT_FOR_WORKER_S" <<'PY'
import sys, time, urllib.request
port, limit = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + limit
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
            if answer.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"the worker on port {port} did not answer within {limit:.0f} s")
    time.sleep(0.2)
PY
}

enabled_worker_ports() {  # the ports of the meetup@ instances enabled now
  local link
  for link in "$UNIT_DIR"/multi-user.target.wants/meetup@*.service; do
    [ -e "$link" ] || [ -L "$link" ] || continue
    link=${link##*/meetup@}
    echo "${link%.service}"
  done
}

step_services() {  # RESTART: 1 = restart the running workers, one at a time
  local port unit
  # Fewer workers than before (--workers): Caddy no longer sends phones to the extra ones.
  for port in $(enabled_worker_ports); do
    if [ "$port" -lt "$BASE_PORT" ] || [ "$port" -ge $((BASE_PORT + WORKERS)) ]; then
      act "stop and disable meetup@$port (not one of the $WORKERS workers)" \
        sys_systemctl disable --now "meetup@$port"
    fi
  done
  for port in $(worker_ports); do
    unit="meetup@$port"
    sys_systemctl is-enabled --quiet "$unit" 2>/dev/null || act "enable $unit" sys_systemctl enable "$unit"
    if ! sys_systemctl is-active --quiet "$unit" 2>/dev/null; then
      act "start $unit" sys_systemctl start "$unit"
    elif [ "$1" = 1 ]; then
      # The phones of this worker reconnect through Caddy to a running one; the next worker
      # restarts only when this one answers again.
      act "restart $unit (the other workers keep the phones)" sys_systemctl restart "$unit"
      [ "$DRY_RUN" = 1 ] || wait_for_worker "$port"
    fi
  done
  if [ "$DRY_RUN" = 0 ]; then
    for port in $(worker_ports); do wait_for_worker "$port"; done
  fi
  ensure_running meetup-backup.timer
  ensure_running meetup-mail.timer
  if [ "$CADDY_CHANGED" = 1 ] && sys_systemctl is-active --quiet caddy 2>/dev/null; then
    act "reload Caddy's configuration" sys_systemctl reload caddy
  fi
  ensure_running caddy
}

step_organiser() {
  [ "$DRY_RUN" = 1 ] && { say "  would: create the organiser $EMAIL unless one exists"; return 0; }
  local out meetup="$APP_DIR/current/venv/bin/meetup"
  if as_service "$meetup" create-organiser --help | grep -q -e --only-if-none; then
    out=$(as_service "$meetup" create-organiser "$EMAIL" --only-if-none)
  else  # a release from before --only-if-none: an existing account is refused, and kept
    out=$(as_service "$meetup" create-organiser "$EMAIL" 2>&1 || true)
  fi
  case "$out" in
    *"shown once"*) changed "created the organiser account $EMAIL"; ORGANISER_OUTPUT=$out ;;
  esac
}

prune_releases() {
  local keep current old
  current=$(current_release)
  keep=$(ls -1t "$APP_DIR/releases" | grep -v -x -F "$current" | tail -n +"$KEEP_RELEASES" || true)
  for old in $keep; do act "remove old release $old" rm -rf "$APP_DIR/releases/$old"; done
}

# -- install and upgrade -------------------------------------------------------------------
do_install() {
  local current
  current=$(current_release)
  if [ -n "$current" ] && [ "$current" != "$NEW" ]; then
    die "release $current is installed; to move to $NEW run: $0 --upgrade $DOMAIN"
  fi
  install_release "$NEW"
  migrate "$NEW"
  switch_current "$NEW"
  step_units
  step_caddy
  local restart=0
  if [ "$UNITS_CHANGED" = 1 ] || [ "$ENV_CHANGED" = 1 ]; then restart=1; fi
  step_services "$restart"
  step_organiser
}

do_upgrade() {
  local old stamp backup
  old=$(current_release)
  [ -n "$old" ] || die "Meetup is not installed here; run without --upgrade first"
  if [ "$old" = "$NEW" ]; then say "Release $NEW is already in use: nothing to upgrade."; return 0; fi
  install_release "$NEW"
  if [ "$FORCE" = 0 ] && [ "$DRY_RUN" = 0 ]; then
    local live=0
    as_service "$APP_DIR/releases/$NEW/venv/bin/meetup" check-live || live=$?
    if [ "$live" = 3 ]; then
      printf 'install-server: %s\n' "an evening is running (above): upgrade after it, or now with --force (the phones reconnect to a running worker while each restarts). Nothing was changed in use." >&2
      exit 3
    fi
    [ "$live" = 0 ] || die "could not ask the database whether an evening runs (above)"
  fi
  stamp=$(date -u +%Y%m%d-%H%M%S)
  backup="$BACKUP_DIR/before-upgrade-$stamp-$old-to-$NEW.pgdump"
  if [ "$DRY_RUN" = 1 ]; then
    say "  would: back up the database to $backup, migrate, restart the workers one by one"
    return 0
  fi
  as_service "$APP_DIR/current/venv/bin/meetup" backup "$backup"
  changed "backed up the database to $backup"
  if ! migrate "$NEW"; then
    say "The migrations of $NEW failed: putting back the backup; release $old stays in use." >&2
    as_service "$APP_DIR/releases/$old/venv/bin/meetup" restore "$backup" --yes
    die "upgrade to $NEW failed; the database is as it was at $stamp (UTC) and release $old runs on"
  fi
  changed "applied the migrations of $NEW"
  step_units
  step_caddy
  switch_current "$NEW"
  step_services 1
  prune_releases
  say "Upgraded from $old to $NEW. The backup made before: $backup"
  say "Back to $old if needed: $0 --release $old --source $APP_DIR/releases/$old ... (docs/deploy.md)"
}

# -- main ----------------------------------------------------------------------------------
if [ -n "${MEETUP_INSTALL_HOOKS:-}" ]; then
  # shellcheck disable=SC1090
  . "$MEETUP_INSTALL_HOOKS"
fi

DOMAIN="" WORKERS="" EMAIL="" TLS="" SOURCE="$SOURCE_DIR" RELEASE="" UPGRADE=0 FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) WORKERS=$2; shift 2 ;;
    --email) EMAIL=$2; shift 2 ;;
    --tls) TLS=$2; shift 2 ;;
    --source) SOURCE=$(realpath "$2"); [ -d "$SOURCE" ] || die "--source needs a directory"; shift 2 ;;
    --release) RELEASE=$2; shift 2 ;;
    --upgrade) UPGRADE=1; shift ;;
    --force) FORCE=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$DOMAIN" ] || die "one domain only"; DOMAIN=$1; shift ;;
  esac
done
[ -n "$DOMAIN" ] || die "usage: $0 [--upgrade] [options] DOMAIN (see --help)"
[[ "$DOMAIN" =~ ^[A-Za-z0-9.-]+$ ]] || die "not a domain name: $DOMAIN"
case "$TLS" in ""|internal) ;; *) die "--tls takes only 'internal'" ;; esac
[ -n "$WORKERS" ] || WORKERS=$(nproc)
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "--workers needs a number"
[ -n "$EMAIL" ] || EMAIL="organiser@$DOMAIN"
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ] && [ "$DRY_RUN" = 0 ]; then die "run me as root"; fi
# The templates come with the release being installed.
TEMPLATES="$SOURCE_DIR/deploy"
if [ -d "$SOURCE/deploy/systemd" ]; then TEMPLATES="$SOURCE/deploy"; fi
if [ "$HTTPS_PORT" = 443 ]; then PUBLIC_URL="https://$DOMAIN"; else PUBLIC_URL="https://$DOMAIN:$HTTPS_PORT"; fi
SITE_ADDRESS="$DOMAIN"
NEW=$(release_name)
ORGANISER_OUTPUT=""
ENV_CHANGED=0

[ "$DRY_RUN" = 1 ] && say "Dry run: nothing is changed."
say "Meetup $NEW for $PUBLIC_URL ($WORKERS workers)"
step_packages
step_user
step_dirs
step_database
before=${#CHANGES[@]}
step_env
[ "${#CHANGES[@]}" -gt "$before" ] && ENV_CHANGED=1
if [ "$UPGRADE" = 1 ]; then do_upgrade; else do_install; fi

if [ "${#CHANGES[@]}" = 0 ]; then
  say "Nothing to change: the installation is as it should be."
fi
if [ -n "$ORGANISER_OUTPUT" ]; then
  say ""
  say "Log in at $PUBLIC_URL/organiser/ as:"
  say "$ORGANISER_OUTPUT"
  say "Note the password now: it is not stored anywhere readable and is shown only this once."
fi
say "Meetup runs at $PUBLIC_URL"
