#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing (make test calls this).
# Each area adds one file scripts/system-deps.d/<name>.sh that installs and checks its own
# packages (chromium, postgresql, mosquitto …). A file that cannot install its package exits
# non-zero; under CI=true that fails the run, elsewhere the dependent tests skip with a reason.
set -uo pipefail
cd "$(dirname "$0")"
status=0
apt_updated=0
export apt_updated
for f in system-deps.d/*.sh; do
  [ -e "$f" ] || continue
  if ! bash "$f"; then
    echo "system-deps: $f failed" >&2
    status=1
  fi
done
if [ "$status" -ne 0 ] && [ "${CI:-}" = "true" ]; then
  exit 1
fi
exit 0
