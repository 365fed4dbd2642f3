#!/usr/bin/env bash
# A separate virtual environment with pycsw, the real CSW server the csw connector tests
# harvest from (tests/connectors/test_csw.py starts it through tests/connectors/pycsw_server.py).
#
# pycsw 2.6.2 needs SQLAlchemy 1.4 while Insyn needs SQLAlchemy 2, so it cannot live in .venv
# (scripts/pycsw-requirements.in says why each pin is there). It is installed from
# scripts/pycsw.lock with every file's hash checked, as .venv is from requirements.lock.
#
# Idempotent: a stamp file named after the lock's hash marks a complete install of that lock;
# a broken or partial install, or a changed lock, is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-pycsw
LOCK=scripts/pycsw.lock
STAMP="$VENV/.installed-$(sha256sum "$LOCK" | cut -c1-16)"
if [ -f "$STAMP" ] && "$VENV/bin/python" -c "import pycsw.wsgi, sqlalchemy, shapely, pyproj" 2>/dev/null; then
  echo "==> pycsw: $VENV är redan installerad från $LOCK"
  exit 0
fi
echo "==> pycsw: skapar $VENV och installerar från $LOCK (kontrollerade mot sina hashar) …"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --disable-pip-version-check --require-hashes -r "$LOCK"
"$VENV/bin/python" -c "import pycsw.wsgi, sqlalchemy, shapely, pyproj"
touch "$STAMP"
echo "==> pycsw: klar"
