"""The machine facts every benchmark prints beside its figures, and recording them in docs/benchmarks.md."""
from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path


def describe() -> str:
    """One line: date, CPU model, cores, memory, Python."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem_kb = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return (f"{date.today().isoformat()} · {cpu} · {os.cpu_count()} cores · {memory} · "
            f"Python {platform.python_version()}")


def record_section(path: Path, heading: str, body: str) -> None:
    """Write ``heading`` + ``body`` into the markdown file, replacing that section if it is there."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"{heading}\n\n{body.strip()}\n"
    if heading in text:
        start = text.index(heading)
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
