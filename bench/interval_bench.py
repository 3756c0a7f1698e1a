"""Benchmark: the exact hypergeometric interval at its size bound, its binomial limit beyond, and the
per-village fallback of the stratified estimate.

Prints the time of the exact interval at N = EXACT_MAX_POPULATION (the slowest sizes of n), the time
and label beyond it, how far the binomial limit is from the exact interval just above the bound, and
the time of the stratified estimate over 3,000 villages when its design variance is 0.

    .venv/bin/python bench/interval_bench.py
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import analysis as A  # noqa: E402
from analysis import hypergeometric as H  # noqa: E402
from bench._machine import describe  # noqa: E402


def best(call, runs: int = 3) -> float:
    """The best wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def exact_at_the_bound() -> None:
    population = H.EXACT_MAX_POPULATION
    print(f"exact interval at N = {population:,} (95 %)")
    for n in (100, 10_000, 1_000_000, population // 2, population - 1000):
        for x in (n // 2, n):
            seconds = best(lambda x=x, n=n: A.proportion_interval(x, n, method="exact", population=population), 1)
            print(f"  n = {n:>10,}  x = {x:>10,}  {seconds * 1000:8.1f} ms")
    for population in (10**8, 10**12):
        interval = A.proportion_interval(90, 100, method="exact", population=population)
        seconds = best(lambda p=population: A.proportion_interval(90, 100, method="exact", population=p))
        print(f"N = {population:.0e}, n = 100: {interval.method}, {seconds * 1000:.2f} ms")


def limit_against_exact() -> None:
    population = 2 * H.EXACT_MAX_POPULATION
    print(f"binomial limit - exact interval at N = {population:,} (95 %)")
    for n in (100, 1000, 10_000, 100_000):
        x = 9 * n // 10
        limit = A.proportion_interval(x, n, method="exact", population=population)
        saved, H.EXACT_MAX_POPULATION = H.EXACT_MAX_POPULATION, population
        try:
            exact = A.proportion_interval(x, n, method="exact", population=population)
        finally:
            H.EXACT_MAX_POPULATION = saved
        print(f"  n = {n:>7,}: low {limit.low - exact.low:+.2e}, high {limit.high - exact.high:+.2e}")


def stratified_fallback() -> None:
    rng = random.Random(7)
    for label, respondents in (("60-95 % answered", lambda h: int(h * rng.uniform(0.6, 0.95))),
                               ("1-3 answered", lambda h: rng.choice((1, 2, 3)))):
        strata = [(300, 300, 240)]
        for index in range(2999):
            households = rng.randint(100, 800)
            n = respondents(households)
            strata.append((households, n, n if index % 2 else 0))
        result = A.stratified_proportion(strata)
        seconds = best(lambda s=strata: A.stratified_proportion(s))
        print(f"stratified, 3,000 villages at 0 % or 100 %, {label}: {result.interval_method}, "
              f"{seconds * 1000:.0f} ms")


if __name__ == "__main__":
    print(describe())
    exact_at_the_bound()
    limit_against_exact()
    stratified_fallback()
