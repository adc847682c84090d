"""Names and personal data for the demo's residents and staff (fictional, from
``sample_data/names.json``): names by era, ID numbers with a valid check digit, mobiles."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import accumulate

from grassroots_tui.demo.common import _Rand
from grassroots_tui.demo.sample_data import load
from grassroots_tui.models.validators import id_check_char


class _Names:
    """Fictional Chinese names from ``sample_data/names.json``."""

    def __init__(self) -> None:
        data = load("names")
        self.surnames = list(data["surnames"])
        self.cum = list(accumulate(data["surnames"].values()))
        self.eras = data["given_chars"]
        self.single = float(data["single_char_share"])
        self.relations = data["relations"]

    def surname(self, rng: _Rand) -> str:
        return rng.choices(self.surnames, cum_weights=self.cum)[0]

    def given(self, rng: _Rand, born_year: int, female: bool) -> str:
        era = self.eras["young"]
        for candidate in self.eras.values():
            lo, hi = candidate["years"]
            if lo <= born_year <= hi:
                era = candidate
                break
        else:
            if born_year < self.eras["elder"]["years"][0]:
                era = self.eras["elder"]
        sex = "female" if female else "male"
        if rng.chance(self.single):
            return rng.choice(era["single"][sex])
        chars = era[sex]
        first, second = rng.sample(chars, 2)
        return first + second

    def person(self, rng: _Rand, born_year: int, female: bool, surname: str | None = None) -> str:
        return (surname or self.surname(rng)) + self.given(rng, born_year, female)

    def adult(self, rng: _Rand, lo: int = 1965, hi: int = 1992) -> str:
        return self.person(rng, rng.randint(lo, hi), rng.chance(0.45))


@lru_cache(maxsize=1)
def _names() -> _Names:
    return _Names()


def _id_number(rng: _Rand, region: str, born: date, female: bool) -> str:
    parity = rng.choice("02468" if female else "13579")
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 99):02d}{parity}"
    return first17 + id_check_char(first17)


def _mobile(rng: _Rand, prefixes: list[str]) -> str:
    return rng.choice(prefixes) + f"{rng.randint(0, 99_999_999):08d}"
