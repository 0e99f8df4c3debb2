"""Chinese personal names and employer names for the demo city.

Surnames are drawn by weight and given names from short lists, so common names (王伟, 李娜) repeat the way they
do in a real register; older people more often have a one-character given name.
"""

from __future__ import annotations

import random

from dae.demo import vocab
from dae.demo.draws import Weighted, draw_from


class NameMaker:
    """Draws names from the word lists with a caller's random stream."""

    def __init__(self) -> None:
        self._surname = Weighted([name for name, _ in vocab.SURNAMES], [weight for _, weight in vocab.SURNAMES])

    def full_name(self, rng: random.Random, gend: str, age: int) -> str:
        surname = self._surname(rng)
        pool = vocab.GIVEN_MALE if gend == "1" else vocab.GIVEN_FEMALE
        single_share = 0.35 if age >= 55 else 0.18
        if rng.random() < single_share:
            return surname + draw_from(rng, pool)
        return surname + draw_from(rng, pool) + draw_from(rng, pool)


def unit_names(rng: random.Random, admdvs: str, count: int) -> list[str]:
    """``count`` distinct employer names of a region: agencies, schools and state firms first, then companies."""
    short = vocab.REGION_SHORT[admdvs]
    city = f"{short}市"
    fixed = [city + agency for agency in vocab.AGENCIES]
    for town in vocab.TOWNS[admdvs]:
        fixed += [city + town + part for part in vocab.TOWN_AGENCIES]
    fixed += [parent + short + branch for parent, branch in vocab.STATE_FIRMS]
    rng.shuffle(fixed)
    # About one employer in six is public; the rest are companies.
    names = fixed[: min(len(fixed), count // 6 + 1)]
    seen = set(names)
    prefixes = (city, f"吉林省{city}", f"吉林{short}", short)
    attempts = 0
    while len(names) < count:
        attempts += 1
        name = (
            rng.choice(prefixes)
            + rng.choice(vocab.TRADE_NAMES)
            + rng.choice(vocab.TRADES)
            + rng.choice(vocab.COMPANY_FORMS)
        )
        if attempts > count * 20:  # lists exhausted (a very large city): number the branches
            name = f"{name[:-2]}第{len(names)}分公司"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names[:count]
