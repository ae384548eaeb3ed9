"""The package's rooms keep their promises: the engine is pure, and the flow goes one way."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "quizgen"


def test_engine_imports_no_templates_faker_or_markdown():
    code = ("import sys, quizgen.engine, quizgen.engine.generate, quizgen.engine.kinds, quizgen.engine.summary; "
            "print(' '.join(m for m in ('jinja2', 'markupsafe', 'faker', 'markdown') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quizgen"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("quizgen")}
    return found


def test_engine_never_imports_a_later_stage_at_module_level():
    """Only `Options.show` reaches into render, lazily, to draw code and diagrams."""
    for path in (PACKAGE / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module]
        later = [n.module for n in top if n.module.startswith(("quizgen.render", "quizgen.exam", "quizgen.drill",
                                                                "quizgen.cli"))]
        assert not later, f"{path.name} imports {later}"


def test_render_exam_and_drill_do_not_import_the_cli():
    for room in ("render", "exam", "drill"):
        for path in (PACKAGE / room).glob("*.py"):
            assert "quizgen.cli" not in _imports(path), path
