"""Every word a view translates: the names of the values records use, in English and Chinese.

One table for every report and command, so the same value reads the same
everywhere. Names the settings give (areas, plans, people, asset categories,
units, targets) come before the table; a value neither knows is shown as the
records write it (its id). A name the settings give only in another language
is never used: one document speaks one language.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.core.errors import UsageError
from aftersales.core.model import Name, Settings

LANGUAGES = ("en", "zh")
UNKNOWN = "unknown"

# group -> value -> name. English names are given only where they differ from the value.
WORDS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "kind": {"repair": "维修", "maintenance": "保养", "return": "退货", "exchange": "换货",
                 "complaint": "投诉", "inquiry": "咨询"},
        "category": {"structure": "结构", "surface": "表面", "function": "功能", "hardware": "五金件",
                     "safety": "安全", "cleaning": "清洁", "other": "其他"},
        "severity": {"emergency": "紧急", "urgent": "较急", "normal": "一般"},
        "priority": {"critical": "最高", "high": "高", "normal": "一般"},
        "target": {"assign": "登记派单", "contact": "联系客户", "response": "响应", "diagnosis": "初步诊断",
                   "on-site": "到场", "resolution": "解决", "progress": "通报进展", "callback": "回访",
                   "follow-up-message": "回访信息", "revisit": "上门回访", "return-inspection": "退换货检验"},
        "slot": {"done": "按期完成", "late": "逾期完成", "overdue": "逾期未做", "due": "待完成",
                 "upcoming": "未到期"},
        "finding": {"open": "整改中", "closed-on-time": "按期完成", "closed-late": "逾期完成", "overdue": "已逾期"},
        "result": {"ok": "正常", "issue": "有问题", "n/a": "不适用", "none": "未检查"},
        "item": {"appearance": "外观", "function": "功能", "fastening": "紧固", "waxing": "打蜡",
                 "lubrication": "润滑", "structure": "结构"},
        "weekday": {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六",
                    "sun": "周日"},
        "unit": {"pcs": "件", "pair": "副", "set": "套", "m": "米", "kg": "千克", "l": "升"},
        "currency": {"CNY": "元"},
        "missing": {"": "未填写", "area": "未指定区域", "asset-category": "不涉及具体产品", "category": "未分类",
                    "priority": "未定优先级", "asset": "不涉及具体产品"},
    },
    "en": {
        "priority": {"critical": "highest"},
        "target": {"on-site": "on-site"},
        "finding": {"closed-on-time": "closed on time", "closed-late": "closed late"},
        "result": {"ok": "OK", "issue": "Issue", "none": "not checked"},
        "item": {"appearance": "Appearance", "function": "Function", "fastening": "Fastening", "waxing": "Waxing",
                 "lubrication": "Lubrication", "structure": "Structure"},
        "weekday": {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat",
                    "sun": "Sun"},
        "unit": {"pair": "pairs", "set": "sets"},
        "missing": {"": "not recorded", "area": "no area given", "asset-category": "no product concerned",
                    "category": "not classified", "priority": "no priority", "asset": "no product concerned"},
    },
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


class Names:
    """The names of values in one language: `names("area", "dorm")` -> 学生宿舍 in Chinese."""

    def __init__(self, lang: str, settings: Settings | None = None) -> None:
        self.lang = check_language(lang)
        self.words: dict[str, dict[str, str]] = {group: dict(values) for group, values in WORDS[lang].items()}
        if settings is not None:  # the settings name things as the customer does: they come first
            given: dict[str, Mapping[str, Name]] = {
                "area": {k: a.names for k, a in settings.areas.items()},
                "plan": {p.id: p.names for p in settings.plans},
                "person": {k: p.name for k, p in settings.people.items()},
                "role": {k: p.role for k, p in settings.people.items()},
                "asset-category": settings.categories, "unit": settings.units, "target": settings.target_names,
                "target-group": {g.id: g.name for g in settings.target_groups},
            }
            for group, found in given.items():
                self.words.setdefault(group, {}).update(
                    {k: text for k, n in found.items() if (text := n.get(lang)) is not None})

    def __call__(self, group: str, value: str | None) -> str:
        """The name of `value` in `group`; `unknown` (what the engine groups values left empty
        under) says that nothing was given; None is nothing."""
        if value is None:
            return ""
        if value == UNKNOWN:
            return self.missing(group)
        return self.words.get(group, {}).get(value, value)

    def missing(self, group: str) -> str:
        """What a document says where a record gives no value for `group`."""
        words = self.words["missing"]
        return words.get(group, words[""])

    def known(self, group: str, value: str) -> bool:
        """Whether `value` has a name (else it is shown as its id)."""
        return value in self.words.get(group, {})

    def group(self, group: str) -> Mapping[str, str]:
        return self.words.get(group, {})


def texts(table: Mapping[str, Mapping[str, str]], lang: str) -> dict[str, str]:
    """The fixed texts of one view in one language; English keys, so a missing translation shows
    in English."""
    check_language(lang)
    english = table["en"]
    return {key: table.get(lang, {}).get(key, value) for key, value in english.items()}
