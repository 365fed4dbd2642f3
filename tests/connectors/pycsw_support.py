"""A real pycsw 2.6.2 for the CSW connector tests, run from its own virtual environment.

pycsw needs SQLAlchemy 1.4 and Insyn SQLAlchemy 2, so ``scripts/setup-pycsw.sh`` builds
``.venv-pycsw`` and everything here talks to pycsw through processes: ``pycsw-admin.py``
for ``setup_db`` and ``load_records``, and ``pycsw_server.py`` (wsgiref) for the service.
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from insyn.vocab.safexml import parse_xml

REPO = Path(__file__).resolve().parents[2]
PYCSW_VENV = REPO / ".venv-pycsw"
PYCSW_PYTHON = PYCSW_VENV / "bin" / "python"
PYCSW_ADMIN = PYCSW_VENV / "bin" / "pycsw-admin.py"
SERVER_SCRIPT = Path(__file__).with_name("pycsw_server.py")
GMD = "http://www.isotc211.org/2005/gmd"
CSW = "http://www.opengis.net/cat/csw/2.0.2"

# No gzip_compresslevel: pycsw.wsgi sets Content-Length before compressing, so gzipped
# answers arrive cut off.
CONFIG = """\
[server]
home={home}
url=http://127.0.0.1/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords=100
loglevel=WARNING
logfile={home}/pycsw.log
pretty_print=false
profiles=apiso

[manager]
transactions=false

[metadata:main]
identification_title=Insyn testkatalog
identification_abstract=pycsw för Insyns tester
identification_keywords=test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=Insyn
provider_url=https://w3id.org/insyn
contact_name=Insyn
contact_email=insyn@example.org

[metadata:inspire]
enabled=false

[repository]
database=sqlite:///{home}/records.db
table=records
"""

_REFUSED = re.compile(
    r'(?:Could not parse "(?P<a>[^"]+)"|XML document "(?P<b>[^"]+)" is not well-formed'
    r"|ERROR: (?P<c>\S+) not inserted)"
)


def pycsw_installed() -> bool:
    return PYCSW_PYTHON.exists() and PYCSW_ADMIN.exists()


def file_identifier(path: Path) -> str | None:
    root = parse_xml(path.read_bytes(), source=str(path))
    found = root.find(f"{{{GMD}}}fileIdentifier/*")
    return found.text.strip() if found is not None and found.text else None


def split_get_records_response(response: Path, into: Path, skip: set[str]) -> list[Path]:
    """Write each ISO record of a saved GetRecordsResponse to its own file (safe parsing)."""
    root = parse_xml(response.read_bytes(), source=str(response))
    written = []
    for record in root.iterfind(f"{{{CSW}}}SearchResults/*"):
        identifier = record.findtext(f"{{{GMD}}}fileIdentifier/*", "").strip()
        if not identifier or identifier in skip:
            continue
        skip.add(identifier)
        path = into / f"in2_split_{identifier}.xml"
        etree.ElementTree(record).write(str(path), xml_declaration=True, encoding="UTF-8")
        written.append(path)
    return written


def collect_records(iso19139: Path, into: Path) -> list[Path]:
    """The real records to load: geodata.se's, pycsw's own APISO samples, and (when the
    shared data has it) every other record of geodata.se's GetRecordsResponse in2.xml."""
    into.mkdir(parents=True, exist_ok=True)
    files = []
    for source in sorted(iso19139.glob("geodata-se/in2_record_*.xml")) + sorted(
        iso19139.glob("pycsw-apiso/*.xml")
    ):
        files.append(Path(shutil.copy(source, into / source.name)))
    response = iso19139 / "geodata-se" / "in2.xml"
    if response.exists():
        known = {identifier for path in files if (identifier := file_identifier(path))}
        files += split_get_records_response(response, into, known)
    return files


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    port: int
    requests: list[str] = field(default_factory=list)  # query strings, in order

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/csw"

    def requests_after(self, before: int, count: int, timeout: float = 5) -> list[str]:
        """The requests after the first ``before``, once ``count`` of them have been read
        from the server's log (a thread reads it, a moment behind the answers)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < before + count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests[before:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


class PycswCatalogue:
    """One pycsw repository (a SQLite file and its config) in a directory of its own."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.config = home / "pycsw.cfg"
        self.config.write_text(CONFIG.format(home=home), encoding="utf-8")

    def admin(self, *args: str) -> str:
        """Run pycsw-admin.py with this config; return what it printed."""
        done = subprocess.run(
            [str(PYCSW_PYTHON), str(PYCSW_ADMIN), *args, "-f", str(self.config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pycsw-admin.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout + done.stderr

    def setup_db(self) -> None:
        self.admin("-c", "setup_db")

    def load_records(self, path: Path, *, update: bool = False) -> set[str]:
        """Load a file or a directory of records; return the file names pycsw refused."""
        output = self.admin("-c", "load_records", "-p", str(path), *(["-y"] if update else []))
        return {
            Path(match.group("a") or match.group("b") or match.group("c")).name
            for match in _REFUSED.finditer(output)
        }

    def copy(self, home: Path) -> PycswCatalogue:
        """A second repository with the same records, for tests that change or stop one."""
        other = PycswCatalogue(home)
        shutil.copy(self.home / "records.db", home / "records.db")
        return other

    def start(self, *, max_requests: int = 0, timeout: float = 30) -> RunningServer:
        """Start the service; return once it accepts connections.

        Raises:
            RuntimeError: it did not say it was listening within ``timeout`` seconds.
        """
        command = [str(PYCSW_PYTHON), str(SERVER_SCRIPT), str(self.config)]
        if max_requests:
            command += ["--max-requests", str(max_requests)]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.home
        )
        assert process.stdout is not None and process.stderr is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            raise RuntimeError("pycsw did not start listening in time") from None
        if not first.startswith("LISTENING "):
            process.kill()
            raise RuntimeError(f"pycsw did not start: {first}{process.stderr.read()}")
        server = RunningServer(process, int(first.split()[1]))

        def read_requests() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                if line.startswith("REQUEST "):
                    server.requests.append(line[len("REQUEST ") :].rstrip("\n"))

        threading.Thread(target=read_requests, daemon=True).start()
        return server
