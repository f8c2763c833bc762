#!/usr/bin/env bash
# PostgreSQL server binaries (initdb, pg_ctl) for the platform tests: tests/platform starts a
# throwaway cluster on 127.0.0.1 in a temp dir (as the `postgres` user when run as root).
# Installs Debian's `postgresql` when missing; exits non-zero if the binaries are still absent.
set -uo pipefail

have_pg() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}

if have_pg; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "postgresql.sh: PostgreSQL is missing; run as root or: sudo apt-get install -y postgresql" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The Debian package creates and starts a default cluster on port 5432; the tests do not use it.
if have_pg; then
  echo "postgresql.sh: installed $(ls -d /usr/lib/postgresql/*/bin | head -1)"
  exit 0
fi
echo "postgresql.sh: PostgreSQL still missing after apt-get install" >&2
exit 1
