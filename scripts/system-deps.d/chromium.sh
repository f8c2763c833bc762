#!/bin/sh
# Debian's chromium and CJK fonts for the dashboard's Playwright tests (no browser download).
set -e
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = "0" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
  else
    echo "chromium.sh: /usr/bin/chromium or fonts-noto-cjk missing; run as root: apt-get install -y chromium fonts-noto-cjk" >&2
  fi
fi
[ -x /usr/bin/chromium ]
