#!/usr/bin/env bash
# Start the database servers the tests use, where this machine has them and they are down.
# In CI (CI=true) the tests that need them must run, so a server that cannot start fails here.
set -u
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_up; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if [ -x /usr/sbin/mariadbd ] && ! mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  for _ in $(seq 1 30); do mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1 && break; sleep 1; done
fi
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here);
# the report test renders PDF pages with poppler's pdftoppm/pdftotext.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "Could not install$missing; the tests that need them will say so." >&2
fi
if [ "${CI:-}" = "true" ] && ! pg_up; then
  echo "PostgreSQL is not running on 127.0.0.1:5432; CI needs it." >&2
  exit 1
fi
exit 0
