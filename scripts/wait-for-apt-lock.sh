#!/bin/sh
# Wait until no other program holds the package manager's locks (dpkg/apt), saying who holds
# them, instead of letting apt-get fail. A fresh machine's own updater (unattended-upgrades,
# apt-daily) often holds them for minutes right after boot.
#
# MEETUP_APT_LOCKS      lock files to watch (default: dpkg's and apt's own)
# MEETUP_APT_LOCK_WAIT  seconds to wait at most (default 900); then exit 1 with a message
set -e
locks="${MEETUP_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}"
limit="${MEETUP_APT_LOCK_WAIT:-900}"
interval=2

# The first held lock file, or nothing. dpkg and apt take POSIX (fcntl) locks, which flock(1)
# cannot see, so ask with a non-blocking fcntl lock and let go at once.
held_lock() {
  python3 - "$@" <<'PY'
import fcntl, os, sys
for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        continue
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(path)
        break
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
PY
}

# Who holds it, for the message: "pid 1234 (unattended-upgr)" when lslocks can tell.
holder_of() {
  if command -v lslocks >/dev/null 2>&1; then
    lslocks -n -o PID,COMMAND,PATH 2>/dev/null | awk -v p="$1" '$3 == p {print "pid " $1 " (" $2 ")"; exit}'
  fi
}

waited=0
lock=$(held_lock $locks)
while [ -n "$lock" ]; do
  if [ "$waited" -ge "$limit" ]; then
    echo "Gave up after ${waited}s: $lock is still held by ${who:-another program}." >&2
    echo "Wait for it to finish (or stop it), then run this again." >&2
    exit 1
  fi
  who=$(holder_of "$lock")
  if [ $((waited % 30)) -eq 0 ]; then
    echo "Waiting for the package manager: $lock is held by ${who:-another program} (often the system's automatic updates after boot); waited ${waited}s of at most ${limit}s." >&2
  fi
  sleep "$interval"
  waited=$((waited + interval))
  lock=$(held_lock $locks)
done
[ "$waited" -gt 0 ] && echo "The package manager is free again after ${waited}s; going on." >&2
exit 0
