"""Tests that prove and never flake: a scan of tests/ for the two habits that break that.

1. **No test asserts a time or memory figure.** A test proves behaviour (what is read,
   how often, in what order, which waits are asked for); wall time, CPU time and memory
   depend on the machine and its load, so they are benchmark figures (bench/). Flagged:
   an ``assert`` that orders (``<``, ``<=``, ``>``, ``>=``) a duration (a subtraction
   involving a clock reading), a variable holding one, or a memory reading (tracemalloc,
   getrusage, RSS, a peak).
2. **No test skips on its own.** Something a test needs but the machine lacks is reported
   through ``tests.conftest.require``/``skip_or_fail``, which fail under CI=true. The one
   other skip allowed is the real Elasticsearch cluster suite (``ELASTICSEARCH_URL``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tests.conftest as shared
from tests.conftest import require, skip_or_fail

TESTS = Path(__file__).resolve().parent

CLOCKS = {
    "perf_counter",
    "perf_counter_ns",
    "monotonic",
    "monotonic_ns",
    "process_time",
    "process_time_ns",
    "thread_time",
    "thread_time_ns",
    "time",
    "time_ns",
}
MEMORY_CALLS = {"get_traced_memory", "getrusage", "memory_info", "memory_full_info"}
MEMORY_ATTRIBUTES = {"ru_maxrss", "rss", "peak_wset"}
FIGURE_NAMES = {"elapsed", "duration", "took", "seconds", "peak", "rss"}
FIGURE_SUFFIXES = ("_elapsed", "_seconds", "_duration", "_peak", "_rss", "_took")
ORDERINGS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)

SKIP_CALLS = {"skip", "importorskip", "skipif", "skipTest", "skipUnless", "skipIf"}
# (file relative to tests/, function it is in): the shared helper, nowhere else.
ALLOWED_SKIPS = {("conftest.py", "skip_or_fail")}
# The real Elasticsearch cluster suite: allowed in tests/search/conftest.py, when its reason
# names ELASTICSEARCH_URL and says that this is the one suite that skips in CI too.
CLUSTER_SUITE = "search/conftest.py"


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        function = node.func
        if isinstance(function, ast.Attribute):
            return function.attr
        if isinstance(function, ast.Name):
            return function.id
    return None


def _is_figure_name(name: str) -> bool:
    return name in FIGURE_NAMES or name.endswith(FIGURE_SUFFIXES)


class _Scan(ast.NodeVisitor):
    """One module's findings: lines that assert a figure, and skips outside the helper."""

    def __init__(
        self, relative: str, cluster_skip_lines: set[int], figure_functions: set[str]
    ) -> None:
        self.relative = relative
        self.cluster_skip_lines = cluster_skip_lines
        # Functions of this module that return a figure (``def peak(): … return size``).
        self.figure_functions = figure_functions
        self.returns_figures: set[str] = set()
        self.findings: list[str] = []
        self.functions: list[str] = []
        # Names holding a clock reading (timestamps) or a duration/memory reading (figures).
        self.timestamps: set[str] = set()
        self.figures: set[str] = set()

    # --- where we are --------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = (self.timestamps, self.figures)
        self.timestamps, self.figures = set(self.timestamps), set(self.figures)
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()
        self.timestamps, self.figures = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    # --- what a name holds ---------------------------------------------------------------

    def _reads_clock(self, node: ast.AST) -> bool:
        return any(
            _called_name(inner) in CLOCKS
            or (isinstance(inner, ast.Name) and inner.id in self.timestamps)
            for inner in ast.walk(node)
        )

    def _reads_memory(self, node: ast.AST) -> bool:
        for inner in ast.walk(node):
            if _called_name(inner) in MEMORY_CALLS:
                return True
            if isinstance(inner, ast.Attribute) and inner.attr in MEMORY_ATTRIBUTES:
                return True
            if isinstance(inner, ast.Name) and inner.id == "tracemalloc":
                return True
        return False

    def _is_duration(self, node: ast.AST) -> bool:
        return any(
            isinstance(inner, ast.BinOp)
            and isinstance(inner.op, ast.Sub)
            and (self._reads_clock(inner.left) or self._reads_clock(inner.right))
            for inner in ast.walk(node)
        )

    def _measures(self, node: ast.AST) -> bool:
        """A duration, a memory reading, or a call of a function returning one."""
        if self._is_duration(node) or self._reads_memory(node):
            return True
        return any(_called_name(inner) in self.figure_functions for inner in ast.walk(node))

    def _is_figure(self, node: ast.AST) -> bool:
        if self._measures(node):
            return True
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and (
                inner.id in self.figures or _is_figure_name(inner.id)
            ):
                return True
            if isinstance(inner, ast.Attribute) and _is_figure_name(inner.attr):
                return True
        return False

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [
            n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)
        ]
        if self._measures(node.value):
            self.figures.update(names)
        elif self._reads_clock(node.value) and not isinstance(node.value, ast.BinOp):
            self.timestamps.update(names)  # started = time.monotonic()
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and self.functions and self._is_figure(node.value):
            self.returns_figures.add(self.functions[-1])
        self.generic_visit(node)

    # --- the two habits ------------------------------------------------------------------

    def visit_Assert(self, node: ast.Assert) -> None:
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            if not any(isinstance(op, ORDERINGS) for op in compare.ops):
                continue
            if any(self._is_figure(side) for side in (compare.left, *compare.comparators)):
                self.findings.append(
                    f"{self.relative}:{node.lineno}: asserts a time or memory figure: "
                    f"{ast.unparse(node.test)}"
                )
                break
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # pytest.skip, pytest.mark.skip(if), pytest.importorskip, unittest.skip*, skipTest
        if node.attr in SKIP_CALLS:
            self._skip(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        # from pytest import skip; skip(…)
        if isinstance(node.func, ast.Name) and node.func.id in SKIP_CALLS:
            self._skip(node)
        self.generic_visit(node)

    def _skip(self, node: ast.expr) -> None:
        where = (self.relative, self.functions[-1] if self.functions else "")
        if where in ALLOWED_SKIPS or node.lineno in self.cluster_skip_lines:
            return
        self.findings.append(
            f"{self.relative}:{node.lineno}: skips outside tests.conftest.require/"
            f"skip_or_fail: {ast.unparse(node)}"
        )


def _cluster_skip_lines(tree: ast.Module) -> set[int]:
    """Lines of ``pytest.skip(reason)`` calls whose reason is the cluster suite's."""
    lines = set()
    for node in ast.walk(tree):
        if _called_name(node) == "skip" and isinstance(node, ast.Call) and node.args:
            reason = node.args[0]
            text = reason.value if isinstance(reason, ast.Constant) else ast.unparse(reason)
            if "ELASTICSEARCH_URL" in str(text) and "CI" in str(text):
                lines.add(node.lineno)
    return lines


def scan(source: str, relative: str) -> list[str]:
    """Return the findings of one test module's source."""
    tree = ast.parse(source)
    allowed = _cluster_skip_lines(tree) if relative == CLUSTER_SUITE else set()
    figure_functions: set[str] = set()
    while True:  # until no more functions are found to return a figure
        visitor = _Scan(relative, allowed, figure_functions)
        visitor.visit(tree)
        if visitor.returns_figures <= figure_functions:
            return visitor.findings
        figure_functions = figure_functions | visitor.returns_figures


def test_no_test_asserts_time_or_memory_and_none_skips_on_its_own() -> None:
    findings = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        relative = path.relative_to(TESTS).as_posix()
        findings += scan(path.read_text(encoding="utf-8"), relative)
    assert not findings, "\n".join(findings)


# --- the scan itself finds what it should, and only that -------------------------------------


# Written as data, not as strings here, so that no line of this file reads as such a test.
FIGURE_EXAMPLES = (
    (TESTS / "data" / "hygiene" / "time_and_memory_figures.txt")
    .read_text(encoding="utf-8")
    .split("\n# ---\n")[1:]
)


@pytest.mark.parametrize("source", FIGURE_EXAMPLES)
def test_the_scan_finds_time_and_memory_figures(source: str) -> None:
    assert scan(source, "x/test_x.py")


@pytest.mark.parametrize(
    "source",
    [
        # A deadline guarding a wait is not a figure; a timestamp in the future is no duration.
        "def test():\n    deadline = time.monotonic() + 30\n"
        "    while time.monotonic() < deadline:\n        poll()\n",
        "def test():\n    assert stored > time.time()\n",
        # Waits the code asked for on a fake clock are behaviour, as are counts.
        "def test(clock):\n    assert clock.sleeps == [0.125] * 5\n",
        "def test():\n    loaded, graph = feed_page(site, 1)\n    assert loaded <= 100\n",
        "def test():\n    assert len(tries) >= 2\n",
    ],
)
def test_the_scan_lets_behaviour_through(source: str) -> None:
    assert scan(source, "x/test_x.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\n\ndef test():\n    pytest.skip('no server')\n",
        "import pytest\n\n@pytest.mark.skipif(True, reason='x')\ndef test():\n    pass\n",
        "import pytest\n\npytestmark = pytest.mark.skip('x')\n",
        "import pytest\n\ndef test():\n    pyshacl = pytest.importorskip('pyshacl')\n",
        "class T(unittest.TestCase):\n    def test(self):\n        self.skipTest('x')\n",
        "from pytest import skip\n\ndef test():\n    skip('x')\n",
    ],
)
def test_the_scan_finds_skips_outside_the_helper(source: str) -> None:
    assert scan(source, "x/test_x.py")


def test_only_the_cluster_suite_may_skip_and_must_say_why() -> None:
    cluster = (
        "def _es():\n    if not url:\n"
        "        pytest.skip('ELASTICSEARCH_URL is not set: the one suite that skips in CI too')\n"
    )
    assert scan(cluster, CLUSTER_SUITE) == []
    assert scan(cluster, "search/test_other.py")  # the same call elsewhere is flagged
    # In the cluster's file, a skip for anything else is flagged too.
    assert scan("def f():\n    pytest.skip('osmem-server is not installed')\n", CLUSTER_SUITE)


# --- the helper: skip on a developer's machine, fail under CI=true ----------------------------


def test_require_goes_on_when_the_condition_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "IN_CI", True)
    require(True, "never said")


def test_skip_or_fail_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="MariaDB saknas"):
        skip_or_fail("MariaDB saknas")
    with pytest.raises(pytest.skip.Exception, match="Chromium saknas"):
        require(False, "Chromium saknas")


def test_skip_or_fail_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match=r"MariaDB saknas.*CI=true"):
        skip_or_fail("MariaDB saknas")
    with pytest.raises(pytest.fail.Exception, match="Chromium saknas"):
        require(False, "Chromium saknas")
