#!/usr/bin/env bash
# What the tests need beside Python, made ready where this machine can: PostgreSQL and
# MariaDB started when they are installed but down, Debian's Chromium (the browser tests)
# and poppler-utils (the PDF report test) installed when missing.
#
# Idempotent: whatever already runs or is installed is left alone, so a second run does
# nothing. Outside CI a missing piece is only reported (its tests skip with the reason).
# In CI (CI=true) every one of them must be there, so anything missing fails here, with
# one line per missing piece, before the tests run.
set -u
in_ci() { [ "${CI:-}" = "true" ]; }
missing_pieces=()
step() { echo "==> $*"; }

# --- PostgreSQL on 127.0.0.1:5432 ----------------------------------------------------------
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
step "PostgreSQL …"
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$version" ]; then
    echo "    startar PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if pg_up; then
  echo "    svarar på 127.0.0.1:5432"
else
  missing_pieces+=("PostgreSQL is not running on 127.0.0.1:5432")
fi

# --- MariaDB on 127.0.0.1:3306 -------------------------------------------------------------
# mysqladmin ping exits 0 whenever the server answers, even if it refuses the login.
maria_up() { mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; }
step "MariaDB …"
if ! maria_up; then
  if [ -x /etc/init.d/mariadb ]; then
    echo "    startar MariaDB (/etc/init.d/mariadb)"
    /etc/init.d/mariadb start >/dev/null 2>&1 || true
  elif [ -x /usr/sbin/mariadbd ]; then
    echo "    startar MariaDB (/usr/sbin/mariadbd)"
    mkdir -p /run/mysqld 2>/dev/null && chown mysql:mysql /run/mysqld 2>/dev/null
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  fi
  if [ -x /etc/init.d/mariadb ] || [ -x /usr/sbin/mariadbd ]; then
    for _ in $(seq 1 30); do maria_up && break; sleep 1; done
  fi
fi
if maria_up; then
  echo "    svarar på 127.0.0.1"
else
  missing_pieces+=("MariaDB is not running on 127.0.0.1 (mysqladmin ping)")
fi

# --- Chromium and poppler-utils ------------------------------------------------------------
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here);
# the report test renders PDF pages with poppler's pdftoppm and reads them with pdftotext.
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
{ command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || packages+=(poppler-utils)
step "Chromium och poppler-utils …"
if [ "${#packages[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "    saknas: ${packages[*]} (no apt-get here: install them by hand)"
  elif [ "$(id -u)" != 0 ]; then
    echo "    saknas: ${packages[*]} (run as root, or: sudo apt-get install -y ${packages[*]})"
  else
    echo "    installerar ${packages[*]} med apt-get (en minut eller två) …"
    export DEBIAN_FRONTEND=noninteractive
    apt_options=(-o Acquire::Retries=3 -o Dpkg::Options::=--force-confold)
    # Fresh package lists first: a stale list names files the mirror no longer has.
    apt-get "${apt_options[@]}" update -q || echo "    apt-get update failed; trying the lists there are"
    if ! apt-get "${apt_options[@]}" install -y -q "${packages[@]}"; then
      # A half-finished earlier install (dpkg interrupted) blocks the next one: repair, retry.
      dpkg --configure -a || true
      apt-get "${apt_options[@]}" install -y -q --fix-broken "${packages[@]}" || true
    fi
  fi
fi
if [ -x /usr/bin/chromium ]; then
  echo "    Chromium: /usr/bin/chromium"
else
  missing_pieces+=("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
fi
if command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
  echo "    poppler-utils: $(command -v pdftoppm)"
else
  missing_pieces+=("poppler-utils (pdftoppm, pdftotext) is not installed")
fi

# --- the verdict ---------------------------------------------------------------------------
if [ "${#missing_pieces[@]}" -gt 0 ]; then
  for piece in "${missing_pieces[@]}"; do
    if in_ci; then echo "CI needs it: $piece" >&2; else echo "    (saknas: $piece; its tests skip)"; fi
  done
  if in_ci; then exit 1; fi
fi
exit 0
