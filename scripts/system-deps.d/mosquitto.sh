#!/usr/bin/env bash
# MQTT broker for the site-monitoring tests (tests/monitoring/test_mqtt.py start their own
# mosquitto on 127.0.0.1 with a generated config; the system service is not used).
set -u
if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "mosquitto: not installed and not root; install it with: apt-get install -y mosquitto" >&2
  exit 1
fi
if [ "${apt_updated:-0}" != "1" ]; then
  apt-get update -qq || true
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto >/dev/null
# The package enables a system service on port 1883; the tests do not need it.
command -v systemctl >/dev/null 2>&1 && systemctl disable --now mosquitto >/dev/null 2>&1 || true
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]
