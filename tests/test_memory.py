"""The peak memory a national run reports for each worker is the worker's own."""

from __future__ import annotations

import subprocess
import sys

from zoning.builder.memory import peak_mb


def _peak_of(code: str) -> float:
    script = f"from zoning.builder.memory import peak_mb\n{code}\nprint(peak_mb())"
    return float(subprocess.check_output([sys.executable, "-c", script], text=True).strip())


def test_the_peak_counts_what_the_process_itself_held():
    plain = _peak_of("import numpy")
    held = _peak_of("import numpy\nblock = numpy.ones(40_000_000)  # 320 MB touched\ndel block")
    assert held - plain > 300
    assert 0 < plain < 300  # a fresh interpreter, not the memory of the process that started it
    assert peak_mb() > 0
