"""Which categories a slip can have and which deadline rule each one gets, and the
office's other settings from the same file (warning window, rate rounding).

The built-in categories all use 15日; the office's ``slip_rules.json`` (see
store.slip_rules_file) adds categories and sets rules per category, e.g. 10个工作日 for
治安维稳. Every rule text is checked here, so a wrong file is reported once, clearly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grassroots_tui import lang
from grassroots_tui.lang import chinese, tr
from grassroots_tui.models.slip import DEFAULT_DEADLINE_RULE, SLIP_CATEGORIES
from grassroots_tui.models.station import OFFICE_SLIP_NUMBER_FORMAT
from grassroots_tui.services.deadlines import parse_rule
from grassroots_tui.store.slip_rules_file import (
    DEFAULT_RATE_ROUNDING,
    SlipRulesInvalid,
    read_slip_rules,
)


@dataclass(frozen=True)
class SlipRules:
    rules: dict[str, str] = field(default_factory=dict)
    default_rule: str = DEFAULT_DEADLINE_RULE
    return_days: int = 3
    warn_days: int = 3
    #: How the statistics round rates (a key of ``RATE_ROUNDINGS``): half-up unless the
    #: office's file says otherwise.
    rate_rounding: str = DEFAULT_RATE_ROUNDING
    #: The street office's own slip numbers (上级交办), e.g. "湘龙街群交〔{year}〕第{seq:04d}号".
    office_number_format: str = OFFICE_SLIP_NUMBER_FORMAT

    def categories(self) -> list[str]:
        """Built-in categories first, then the office's own, without repeats."""
        return list(dict.fromkeys((*SLIP_CATEGORIES, *self.rules)))

    def rule_for(self, category: str | None) -> str:
        return self.rules.get(category or "", self.default_rule)


#: The built-in categories (:data:`SLIP_CATEGORIES`), marked so the catalog has their
#: English; a slip stores the Chinese.
_CATEGORY_NAMES = (
    chinese("环境卫生"),
    chinese("城市管理"),
    chinese("拆迁安置"),
    chinese("社会保障"),
    chinese("物业纠纷"),
    chinese("治安维稳"),
    chinese("其他"),
)


def category_name(category: str) -> str:
    """How a category is shown: a built-in one in the current language, the office's own
    as written (what is stored is always the Chinese)."""
    return tr(category) if category in _CATEGORY_NAMES else category


def load_slip_rules(path: Path) -> SlipRules:
    """The office's slip settings, rules checked; the built-in ones when there is no file."""
    settings = read_slip_rules(path)
    rules: dict[str, str] = {}
    for category, text in settings.get("categories", {}).items():
        try:
            rules[category] = parse_rule(text).text
        except ValueError as error:
            raise SlipRulesInvalid(
                path, tr("类别“{category}”：{error}", category=category, error=error)
            ) from None
    default_rule = settings.get("default_rule", DEFAULT_DEADLINE_RULE)
    try:
        default_rule = parse_rule(default_rule).text
    except ValueError as error:
        raise SlipRulesInvalid(path, f"default_rule{lang.colon()}{error}") from None
    return SlipRules(
        rules=rules,
        default_rule=default_rule,
        return_days=settings.get("return_days", 3),
        warn_days=settings.get("warn_days", 3),
        rate_rounding=settings.get("rate_rounding", DEFAULT_RATE_ROUNDING),
        office_number_format=settings.get("office_number_format", OFFICE_SLIP_NUMBER_FORMAT),
    )
