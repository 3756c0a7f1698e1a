"""Measurements taken in a fresh process: a benchmark runs itself again with ``--measure WHAT --url URL`` (no
cache, no warm pool, its own peak memory) and reads the JSON the child prints last."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The child's arguments (hidden from ``--help``)."""
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)


def answered(args: argparse.Namespace, measure: Callable[[str, str], dict]) -> bool:
    """In a child: print ``measure(url, what)`` as JSON and return True; in the parent, False."""
    if not args.measure:
        return False
    print(json.dumps(measure(args.url, args.measure)))
    return True


def run_json(*command: str) -> dict:
    """Run a program in a fresh process; its last line of output is JSON."""
    out = subprocess.run([sys.executable, *command], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{command[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
