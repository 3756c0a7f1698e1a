"""Simulated paper keying and village tallies for the integrity indicators' false-alarm measurements (the
model of honest work is described in ``_integrity_sims``: each keyer has a pace of their own, around 15 s per
phiếu, varying from phiếu to phiếu, with pauses, keyed in sessions during office hours; villages' true
satisfaction differs a little from village to village)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from ._integrity_sims import START, WINDOW_DAYS, village_sizes


@dataclass
class Keying:
    """Paper phiếu keyed: (keyer, time) of each first keying."""

    keyers: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)

    def batches(self, bucket: int = 3600) -> list[tuple[str, str, int, float]]:
        """(keyer, batch id, phiếu, seconds) per keyer and clock hour, as the service groups them: the span
        from first to last scaled to n phiếu."""
        groups: dict[tuple[str, int], list[float]] = {}
        for keyer, moment in zip(self.keyers, self.times, strict=True):
            stamp = moment.timestamp()
            groups.setdefault((keyer, int(stamp // bucket)), []).append(stamp)
        found = []
        for (keyer, hour), stamps in sorted(groups.items()):
            n = len(stamps)
            seconds = (max(stamps) - min(stamps)) * n / (n - 1) if n > 1 else 0.0
            found.append((keyer, f"{keyer}/{hour}", n, seconds))
        return found


def _keying_session(rng: np.random.Generator, keying: Keying, keyer: str, start: datetime, forms: int,
                    pace: float, spread: float = 0.5, pauses: float = 0.03) -> datetime:
    moment = start
    for _ in range(forms):
        moment += timedelta(seconds=float(rng.lognormal(np.log(pace), spread)))
        if rng.random() < pauses:
            moment += timedelta(seconds=float(rng.exponential(120)))
        keying.keyers.append(keyer)
        keying.times.append(moment)
    return moment


def honest_keying(rng: np.random.Generator, phieu: int, *, keyers: int | None = None,
                  median_pace: float = 15.0) -> Keying:
    """``phieu`` paper phiếu keyed by 2–6 keyers whose own median pace scatters around ``median_pace``."""
    keying = Keying()
    count = keyers or int(rng.integers(2, 7))
    paces = median_pace * np.exp(rng.normal(0, 0.35, count))
    share = rng.dirichlet(np.full(count, 3.0))
    for k in range(count):
        left, day = int(round(phieu * share[k])), 0
        while left > 0:
            start = START + timedelta(days=day, hours=float(rng.choice([1, 1.5, 2, 6.5, 7])))
            forms = min(left, int(rng.integers(30, 200)))
            pace = paces[k] * float(np.exp(rng.normal(0, 0.1)))
            _keying_session(rng, keying, f"k{k}", start, forms, pace)
            left -= forms
            day += 1
    return keying


def plant_fast_keying(rng: np.random.Generator, keying: Keying, forms: int = 40, pace: float = 5.0) -> str:
    """One keyer types ``forms`` invented phiếu at ``pace`` s each, without a pause (no paper to read, no
    slip to look for). Returns the keyer."""
    keyer = keying.keyers[int(rng.integers(len(keying.keyers)))] if keying.keyers else "k0"
    start = START + timedelta(days=WINDOW_DAYS - 1, hours=2)
    _keying_session(rng, keying, keyer, start, forms, pace, spread=0.3, pauses=0.0)
    return keyer


def honest_tallies(rng: np.random.Generator, phieu: int, *, rate: float = 0.95,
                   spread: float = 0.3) -> list[tuple[str, int, int]]:
    """(village, respondents, satisfied) of one commune; villages' true rates scatter (logit sd ``spread``)."""
    logit = np.log(rate / (1 - rate))
    found = []
    for village, size in village_sizes(rng, phieu):
        p = 1 / (1 + np.exp(-(logit + rng.normal(0, spread))))
        found.append((village, size, int(rng.binomial(size, p))))
    return found
