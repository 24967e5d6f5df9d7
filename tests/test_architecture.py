"""The floor plan holds: each part of sitegen imports only the parts below it, never in a cycle.

The contracts are in `.importlinter` (import-linter's layers, forbidden and
acyclic-siblings contracts); function-level and TYPE_CHECKING imports count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_the_layers_name_every_part() -> None:
    """A new package or module must be given its place in the layers (the contract is exhaustive)."""
    text = (ROOT / ".importlinter").read_text(encoding="utf-8")
    assert "exhaustive = true" in text
    parts = {p.stem for p in (ROOT / "sitegen").iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    for part in parts:
        assert any(part in line.split() for line in text.splitlines() if line.startswith("    ")), part
