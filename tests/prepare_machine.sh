#!/usr/bin/env bash
# Brings what the suite needs that pip cannot: a browser for tests/browser, nginx for the reverse-proxy test, and
# the PostgreSQL server named by MEDIASHELF_TEST_POSTGRES_URL when it is a local one that is not answering.
set -euo pipefail

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium and chromium-driver for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  elif [ "${CI:-}" = true ]; then
    echo "chromium and chromium-driver are missing and cannot be installed (not root / no apt-get)" >&2
    exit 1
  else
    echo "warning: no chromium/chromedriver; the browser tests will fail. Install Debian's chromium chromium-driver." >&2
  fi
fi

# nginx for tests/integration/test_reverse_proxy.py, which runs its own instance on a free port (never the service).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's nginx for the reverse-proxy test..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  elif [ "${CI:-}" = true ]; then
    echo "nginx is missing and cannot be installed (not root / no apt-get)" >&2
    exit 1
  else
    echo "warning: no nginx; the reverse-proxy test will fail. Install Debian's nginx." >&2
  fi
fi

url="${MEDIASHELF_TEST_POSTGRES_URL:-}"
if [[ "$url" == *@127.0.0.1:5432/* || "$url" == *@localhost:5432/* ]] && command -v pg_isready >/dev/null; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "Starting the local PostgreSQL cluster..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi
