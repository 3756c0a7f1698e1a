"""The statistics package stays pure: no web framework, database layer or app import."""

import subprocess
import sys
from pathlib import Path

import analysis as A

ROOT = Path(A.__file__).resolve().parents[1]


def test_imports_only_the_standard_library_numpy_and_scipy():
    code = (
        "import sys, analysis; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'survey_app', 'werkzeug') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_public_api_is_declared():
    for name in A.__all__:
        assert hasattr(A, name), name
