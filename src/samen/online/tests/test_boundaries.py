"""The engine stays a plain Python library: the Django app only adapts it."""

import re
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def test_the_engine_imports_without_django():
    code = (
        "import sys; import samen.online.engine, samen.online.engine.runner, "
        "samen.online.engine.report, samen.online.engine.synth; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    src = str(ENGINE.parent.parent.parent)
    # Fixed arguments and this interpreter: nothing untrusted reaches the subprocess.
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], check=True, cwd=src, env={"PYTHONPATH": src}
    )


def test_no_engine_module_imports_django():
    imports = re.compile(r"^\s*(?:import|from)\s+django\b", re.MULTILINE)
    for path in ENGINE.rglob("*.py"):
        assert not imports.search(path.read_text()), path
