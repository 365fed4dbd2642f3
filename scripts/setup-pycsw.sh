#!/usr/bin/env bash
# A separate virtual environment with pycsw, the real CSW server the csw connector tests
# harvest from (tests/connectors/test_csw.py starts it through tests/connectors/pycsw_server.py).
#
# pycsw 2.6.2, the newest on PyPI, needs SQLAlchemy 1.4 while Insyn needs SQLAlchemy 2, so it
# cannot live in .venv. pycsw does not declare SQLAlchemy itself (it is in its requirements
# files only), and needs pyproj and Shapely for the spatial columns; OWSLib, lxml, geolinks
# and xmltodict come with it.
#
# Idempotent: a stamp file marks a complete install; a broken or partial one is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-pycsw
STAMP="$VENV/.installed-pycsw-2.6.2"
if [ -f "$STAMP" ] && "$VENV/bin/python" -c "import pycsw.wsgi, sqlalchemy, shapely, pyproj" 2>/dev/null; then
  exit 0
fi
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  'pycsw==2.6.2' 'sqlalchemy>=1.4,<2' 'shapely>=2,<3' 'pyproj>=3.6,<4'
"$VENV/bin/python" -c "import pycsw.wsgi, sqlalchemy, shapely, pyproj"
touch "$STAMP"
