"""Rules of the architecture that a test can hold us to."""

import ast
import subprocess
import sys
from pathlib import Path

import trustledger

SCORING = Path(trustledger.__file__).parent / "scoring"


def test_scoring_imports_nothing_from_django_in_its_source():
    offenders = []
    for path in SCORING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_importing_scoring_does_not_load_django():
    modules = [
        f"trustledger.scoring.{p.stem}" for p in SCORING.glob("*.py") if p.stem != "__init__"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r} + ['trustledger.scoring']: importlib.import_module(m)\n"
        "print(any(k == 'django' or k.startswith('django.') for k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
