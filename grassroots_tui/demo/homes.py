"""Planning the households of a station: their fields, places, heads and tags, before any
model is made."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from grassroots_tui.demo.common import _Rand
from grassroots_tui.demo.names import _id_number, _mobile, _names
from grassroots_tui.demo.sample_data import load
from grassroots_tui.models import Household


@dataclass(eq=False)
class _Home:
    """A household and what the texts need to know about it."""

    fields: dict[str, Any]
    place: str
    surname: str
    born: date
    female: bool
    doc: Household | None = None

    @property
    def id(self) -> str:
        return self.fields["id"]

    @property
    def head(self) -> str:
        return self.fields["head_of_household"]

    @property
    def elder(self) -> bool:
        return self.born.year < 1962


def _plan_households(
    rng: _Rand, code: str, spec: dict, count: int, reference: date, *, sort: bool = True
) -> list[_Home]:
    """Household field dicts for a station (no models yet: the tags may still change)."""
    places = load("places")
    names = _names()
    regions = places["region_codes"]["codes"]
    rural = spec["type"] == "rural"
    tag_weights = places["tags"]["rural" if rural else "city"]
    prefixes = places["mobile_prefixes"]
    homes: list[_Home] = []
    used: set[tuple] = set()
    stretch = max(1, -(-count // spec.get("households", count)))  # room for big scales
    group_numbers: dict[str, int] = defaultdict(int)
    for _ in range(count):
        era = rng.weighted(
            {"elder": 55, "middle": 35, "young": 10}
            if rural
            else {"elder": 40, "middle": 42, "young": 18}
        )
        lo, hi = {"elder": (1932, 1961), "middle": (1962, 1984), "young": (1985, 2002)}[era]
        hi = min(hi, reference.year - 20)
        born = rng.day(date(lo, 1, 1), date(hi, 12, 31))
        female = rng.chance(0.42 if era == "elder" else 0.35)
        surname = names.surname(rng)
        head = names.person(rng, born.year, female, surname)
        fields: dict[str, Any] = {"id": rng.uid(), "head_of_household": head}
        extra_tags: dict[str, float] = {}
        if rural:
            group = rng.choice(spec["groups"])
            group_numbers[group["name"]] += rng.randint(1, 3)
            number = group_numbers[group["name"]]
            place = group["name"]
            fields.update(
                address=f"{spec['community']}{group['name']}{number}号",
                group=group["name"],
                grid=group["grid"],
                door=f"{number}号",
            )
            extra_tags = spec.get("group_tags", {}).get(group["name"], {})
            sort_key: tuple = (spec["groups"].index(group), number)
        else:
            compounds = spec["compounds"]
            compound = rng.choices(compounds, weights=[c["weight"] for c in compounds])[0]
            buildings = compound["buildings"] * stretch
            for _attempt in range(200):
                b = rng.randint(1, buildings)
                u = rng.randint(1, compound["units"])
                floor = rng.randint(*compound["floors"])
                door = floor * 100 + rng.randint(1, compound["doors"])
                key = (compound["name"], b, u, door)
                if key not in used:
                    break
            used.add(key)
            place = compound["name"]
            grids = compound["grids"]
            grid = grids[min(len(grids) - 1, (b - 1) * len(grids) // buildings)]
            fields.update(
                address=f"{compound['name']}{b}栋{u}单元{door}",
                building=str(b),
                unit=str(u),
                door=str(door),
                grid=grid,
            )
            extra_tags = compound.get("tags", {})
            sort_key = (compounds.index(compound), b, u, door)
        if era == "elder":
            people = rng.choices([1, 2, 3, 4], weights=[22, 48, 18, 12])[0]
        elif era == "middle":
            people = rng.choices([2, 3, 4, 5, 6], weights=[15, 35, 30, 14, 6])[0]
        else:
            people = rng.choices([1, 2, 3, 4], weights=[18, 30, 40, 12])[0]
        tags: list[str] = []
        for tag, weight in {**tag_weights, **extra_tags}.items():
            if tag in tags or not rng.chance(weight / 100):
                continue
            if tag in ("独居老人", "空巢老人", "留守老人") and era != "elder":
                continue
            if tag == "独居老人" and people != 1:
                continue
            if tag == "留守儿童" and people < 3:
                continue
            tags.append(tag)
        region = rng.weighted(regions)
        fields.update(
            id_number=_id_number(rng, region, born, female) if rng.chance(0.97) else None,
            phone=(
                _mobile(rng, prefixes)
                if rng.chance(0.9)
                else (
                    f"{places['landline_prefix']}{rng.randint(0, 9_999_999):07d}"
                    if rng.chance(0.7)
                    else None
                )
            ),
            people=people,
            tags=tags,
            registered_on=rng.day(date(2016, 3, 1), reference - timedelta(days=400)),
        )
        home = _Home(fields, place, surname, born, female)
        home.fields["_sort"] = sort_key
        homes.append(home)
    if sort:
        homes.sort(key=lambda h: h.fields["_sort"])
    width = max(4, len(str(count)))
    for index, home in enumerate(homes, start=1):
        home.fields.pop("_sort")
        home.fields["household_no"] = f"{code}-{index:0{width}d}"
    return homes
