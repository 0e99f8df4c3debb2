"""The survey's sample (抽样): seeded and stratified by region and hospital, proportional to each stratum's size.

Pure: the caller reads the period's claimants (one row per person, the hospital of their latest settlement) and
stores the draw. The same claimants, size and seed always give the same sample: strata are taken in sorted order,
sizes by largest remainder (ties by stratum key), and each stratum is drawn with its own ``random.Random`` seeded
from the survey seed and the stratum key, over its members sorted by person number. Must never import Django.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Claimant:
    region: str
    hospital: int
    psn_no: str


def stratum_key(claimant: Claimant) -> str:
    return f"{claimant.region}/{claimant.hospital}"


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation of ``total`` over strata of ``sizes`` by largest remainder (never above a size)."""
    population = sum(sizes.values())
    if population == 0 or total <= 0:
        return {key: 0 for key in sizes}
    total = min(total, population)
    quotas = {key: (size * total) // population for key, size in sizes.items()}
    remainders = sorted(sizes, key=lambda key: (-((sizes[key] * total) % population), key))
    left = total - sum(quotas.values())
    for key in remainders:
        if left == 0:
            break
        if quotas[key] < sizes[key]:
            quotas[key] += 1
            left -= 1
    return quotas


def draw(claimants: Sequence[Claimant], size: int, seed: str) -> list[Claimant]:
    """The sample, ordered by stratum and person number."""
    strata: dict[str, list[Claimant]] = defaultdict(list)
    for claimant in sorted(set(claimants)):
        strata[stratum_key(claimant)].append(claimant)
    quotas = allocate({key: len(members) for key, members in strata.items()}, size)
    chosen: list[Claimant] = []
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda c: c.psn_no)
        rng = random.Random(f"{seed}|{key}")
        chosen += sorted(rng.sample(members, quotas[key]), key=lambda c: c.psn_no)
    return chosen
