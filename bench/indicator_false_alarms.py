"""False alarms of the integrity indicators on simulated honest surveys, and planted fraud they still catch.

Each scenario draws many surveys from ``bench/_integrity_sims.py`` (seeded: the same run gives the same
figures) and counts those on which an indicator raised a ``warning`` or an ``alert`` (``info`` notes, such
as a declared meeting, are not alarms). The target is at most 1 % of honest surveys per indicator; the
95 % upper bound (Clopper–Pearson) says how sure the count is. Planted fraud is counted only when the
indicator points at it (the address, keyer, village or text that was planted).

    .venv/bin/python bench/indicator_false_alarms.py [--scale 1.0] [--record]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.stats import beta

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import integrity as I  # noqa: E402
from bench import _integrity_sims as S  # noqa: E402
from bench import _keying_sims as K  # noqa: E402
from bench._machine import describe, record_section  # noqa: E402

HEADING = "## Integrity indicators: false alarms on honest simulations"
SHORT_COPY = "Đề nghị sửa lại đường liên thôn"  # 7 words: the kind of sentence neighbours may share


def alarms(found) -> list:
    """Warnings and alerts (info notes are not alarms)."""
    return [i for i in found if i.severity != "info"]


def opinions(rng, phieu: int, rate: float = 0.2):
    o = S.honest_opinions(rng, phieu, rate)
    return alarms(I.identical_opinions(o.texts, o.villages))


def web(traffic: S.WebTraffic):
    return alarms(I.bursts(traffic.times, traffic.addresses, traffic.villages, meetings=traffic.meetings))


def keying(rng, phieu: int):
    return alarms(I.fast_keying(K.honest_keying(rng, phieu).batches()))


def outliers(rng, phieu: int, spread: float):
    return alarms(I.outlier_villages(K.honest_tallies(rng, phieu, spread=spread)))


def planted_opinions(rng, phieu: int, copies: int, text: str | None = None) -> bool:
    o = S.honest_opinions(rng, phieu)
    village = S.plant_copies(rng, o, copies, **({"text": text} if text else {}))
    return any(i.subject == village for i in I.identical_opinions(o.texts, o.villages))


def planted_stuffing(rng, slips: int, shared: bool) -> bool:
    traffic = S.honest_web(rng, 3000)
    address = S.plant_stuffing(rng, traffic, slips, shared_address=shared)
    return any(i.subject == address for i in web(traffic))


def planted_keying(rng, pace: float) -> bool:
    k = K.honest_keying(rng, 3000)
    keyer = K.plant_fast_keying(rng, k, 40, pace)
    return any(i.evidence["keyer"] == keyer for i in I.fast_keying(k.batches()))


def planted_outlier(rng) -> bool:
    tallies = K.honest_tallies(rng, 3000, rate=0.85)
    code, n, _x = tallies[0]
    tallies[0] = (code, n, n)  # every phiếu of one village "satisfied"
    return any(i.subject == code for i in I.outlier_villages(tallies))


#: (indicator, scenario, surveys at scale 1, draw -> alarms).
HONEST: list[tuple[str, str, int, Callable]] = [
    ("identical_opinions", "100 phiếu, 20 % write an opinion", 1000, lambda r: opinions(r, 100)),
    ("identical_opinions", "1,000 phiếu, 20 % write an opinion", 500, lambda r: opinions(r, 1000)),
    ("identical_opinions", "10,000 phiếu, 20 % write an opinion", 120, lambda r: opinions(r, 10000)),
    ("identical_opinions", "3,000 phiếu, 5 % write an opinion", 400, lambda r: opinions(r, 3000, 0.05)),
    ("burst", "300 phiếu, web, Zalo waves, carriers, declared meetings", 500, lambda r: web(S.honest_web(r, 300))),
    ("burst", "3,000 phiếu, same", 400, lambda r: web(S.honest_web(r, 3000))),
    ("burst", "10,000 phiếu, same", 120, lambda r: web(S.honest_web(r, 10000))),
    ("burst", "province: 20,000 over 100 carrier addresses serving 1,000 villages", 100,
     lambda r: web(S.province_web(r))),
    ("burst", "Zalo: 150 households over 10 carrier addresses", 1000, lambda r: web(S.zalo_village(r))),
    ("burst", "declared meeting: 80 households over one Wi-Fi", 1000, lambda r: web(S.meeting_village(r))),
    ("fast_keying", "300 phiếu, keyers' median pace 15 s", 1000, lambda r: keying(r, 300)),
    ("fast_keying", "1,000 phiếu, same", 600, lambda r: keying(r, 1000)),
    ("fast_keying", "5,000 phiếu, same", 300, lambda r: keying(r, 5000)),
    ("fast_keying", "20,000 phiếu, same", 120, lambda r: keying(r, 20000)),
    ("outlier_village", "1,000 phiếu, villages' logit sd 0.3", 1000, lambda r: outliers(r, 1000, 0.3)),
    ("outlier_village", "20,000 phiếu, villages' logit sd 0.3", 1000, lambda r: outliers(r, 20000, 0.3)),
    ("outlier_village", "5,000 phiếu, villages' logit sd 0.5", 1000, lambda r: outliers(r, 5000, 0.5)),
]
#: (indicator, planted fraud, surveys at scale 1, draw -> caught).
PLANTED: list[tuple[str, str, int, Callable]] = [
    ("identical_opinions", "5 copies of a 13-word sentence in one village (300 phiếu)", 300,
     lambda r: planted_opinions(r, 300, 5)),
    ("identical_opinions", "5 copies, same, in a survey of 3,000 phiếu", 200, lambda r: planted_opinions(r, 3000, 5)),
    ("identical_opinions", "8 copies of a 7-word sentence in one village (3,000 phiếu)", 200,
     lambda r: planted_opinions(r, 3000, 8, SHORT_COPY)),
    ("burst", "8 slips one after another from a home address (3,000 phiếu)", 200,
     lambda r: planted_stuffing(r, 8, False)),
    ("burst", "8 slips from the busiest carrier address", 200, lambda r: planted_stuffing(r, 8, True)),
    ("burst", "15 slips from the busiest carrier address", 200, lambda r: planted_stuffing(r, 15, True)),
    ("burst", "undeclared meeting: 80 households over one Wi-Fi (a warning asking to declare it)", 300,
     lambda r: bool(web(S.meeting_village(r, declared=False)))),
    ("fast_keying", "40 invented phiếu at 5 s each (a third of the median pace)", 300,
     lambda r: planted_keying(r, 5.0)),
    ("fast_keying", "40 invented phiếu at 7.5 s each (half the median pace)", 300, lambda r: planted_keying(r, 7.5)),
    ("outlier_village", "one village at 100 % where the commune is at 85 %", 300, planted_outlier),
]


def upper_bound(hits: int, n: int) -> float:
    """Clopper–Pearson 95 % upper bound of a rate seen ``hits`` times in ``n``."""
    return 1.0 if hits >= n else float(beta.ppf(0.975, hits + 1, n - hits))


def run(scenarios, scale: float) -> list[tuple[str, str, int, int, float]]:
    rows = []
    for indicator, scenario, surveys, draw in scenarios:
        n = max(20, int(surveys * scale))
        started = time.perf_counter()
        hits = sum(bool(draw(np.random.default_rng(seed))) for seed in range(n))
        rows.append((indicator, scenario, n, hits, time.perf_counter() - started))
        print(f"{indicator:<20} {scenario:<78} {hits:>5}/{n:<5} {100 * hits / n:6.2f} %", flush=True)
    return rows


def table(rows, *, honest: bool) -> str:
    head = ("| Indicator | Honest scenario | Surveys | With a warning or alert | Rate | 95 % upper bound |\n"
            "|---|---|---:|---:|---:|---:|" if honest else
            "| Indicator | Planted fraud | Surveys | Caught | Rate |\n|---|---|---:|---:|---:|")
    lines = [head]
    for indicator, scenario, n, hits, _seconds in rows:
        rate = f"{100 * hits / n:.1f} %"
        lines.append(f"| `{indicator}` | {scenario} | {n:,} | {hits:,} | {rate} | {100 * upper_bound(hits, n):.1f} % |"
                     if honest else f"| `{indicator}` | {scenario} | {n:,} | {hits:,} | {rate} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of simulated surveys")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    machine = describe()
    print(machine)
    honest = run(HONEST, args.scale)
    planted = run(PLANTED, args.scale)
    seconds = sum(row[-1] for row in honest + planted)
    body = (f"`bench/indicator_false_alarms.py` · {machine} · {seconds:.0f} s\n\n"
            "Honest surveys simulated as `bench/_integrity_sims.py` describes (docs/integrity.md: what "
            "\"honest\" means there); a survey counts once however many indicators of the kind it raised. Target: "
            "at most 1 % per indicator; where the 95 % bound is above it, too few surveys were drawn to say more "
            "(`--scale 4` draws four times as many).\n\n"
            + table(honest, honest=True) + "\n\n" + table(planted, honest=False))
    print()
    print(body)
    if args.record:
        record_section(Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md", HEADING, body)


if __name__ == "__main__":
    main()
