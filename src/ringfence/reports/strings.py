"""The daily report's words in Chinese: English msgids (as in the web's catalogs) → zh_CN.

The report is a document of its own (a file, a PDF), made outside any request, so it carries its
own small catalog instead of the web's gettext ones; `translator(lang)` gives the `_` it uses.
"""

from __future__ import annotations

from collections.abc import Callable

from ringfence.reports.schemas import ReportLanguage

ZH: dict[str, str] = {
    "Daily situation report": "每日疫情形势报告",
    "Report day": "报告日期",
    "As of": "数据截至",
    "Generated": "生成时间",
    "Protocol": "防控方案",
    "Headline figures": "核心指标",
    "New cases": "新增感染者",
    "Found in the community": "社会面发现",
    "Found among people under control": "管控人员中发现",
    "Community share": "社会面占比",
    "Community share, last 7 days": "近7天社会面占比",
    "Cases, last 7 days": "近7天感染者",
    "Change on the 7 days before": "较前7天变化",
    "R(t), last window": "实时再生数 R(t)（最近窗口）",
    "95% credible interval": "95% 可信区间",
    "Hours from positive sample to contacts placed (median)": "阳性采样至密接管控到位时长（中位数，小时）",
    "Test coverage": "核酸检测覆盖率",
    "Isolation occupancy": "隔离床位使用率",
    "Overdue tasks": "超时任务",
    "Sentinel alarms": "哨点预警",
    "Sentinel follow-ups missed": "哨点人员未按时检测",
    "not available": "暂无数据",
    "not estimable yet": "暂不可估计",
    "Epidemic curve": "流行曲线",
    "New cases by day and how they were found": "每日新增感染者（按发现途径）",
    "New cases today by district": "今日各区新增感染者",
    "District": "区",
    "Total": "合计",
    "Day": "日期",
    "Cases": "感染者",
    "How found": "发现途径",
    "screening": "筛查发现",
    "sentinel": "哨点发现",
    "controlled": "管控人员中发现",
    "arrival": "入境/来返人员检测发现",
    "other": "其他途径",
    "Reproduction number": "再生数",
    "R(t) with its 95% credible interval (7-day windows)": "R(t) 及其 95% 可信区间（7天滑动窗口）",
    "Serial interval": "代际间隔",
    "mean": "均值",
    "sd": "标准差",
    "days": "天",
    "Map": "地图",
    "Districts and cases of the last 7 days": "各区及近7天感染者分布",
    "No geographic data": "暂无地理数据",
    "Sentinel surveillance": "哨点监测",
    "Sentinel events per day by district": "各区哨点每日监测数",
    "Events": "监测数",
    "Events today": "今日监测数",
    "Method": "方法",
    "Observed": "观测值",
    "Upper bound": "阈值上限",
    "No alarm": "无预警",
    "Missed": "未按时检测",
    "Pending": "待检测",
    "Overdue tasks by kind": "超时任务（按类型）",
    "Longest overdue": "超时最久的任务",
    "Task": "任务",
    "Kind": "类型",
    "Area": "属地",
    "Due": "截止时间",
    "Hours overdue": "超时（小时）",
    "Escalated to": "已升级至",
    "No overdue tasks": "无超时任务",
    "Beds": "床位",
    "Occupied": "已使用",
    "Waiting": "待安置",
    "Alert from": "预计超警戒日期",
    "Residents": "居民",
    "Sampled": "已采样",
    "in the last": "近",
    "hours": "小时",
    "cases measured": "例已统计",
    "cases still waiting for a contact to be placed": "例仍有密接未管控到位",
    "unknown": "未知",
    "investigate_case": "病例流调",
    "place_contact": "密接转运管控",
    "recall_pool": "混阳复核",
    "door_knock": "敲门行动",
    "area_round": "区域筛查",
    "arrival_followup": "来返人员跟进",
    "sentinel_followup": "哨点人员跟进检测",
    "deliver_supplies": "物资配送",
    "key_place_violation": "重点场所查验",
    "routine_screening": "常态化筛查",
    "help_ticket": "企业诉求",
    "rectification": "督导整改",
    "co_investigation": "协查",
    "compliance_alert": "企业合规预警",
    "ears-c1": "EARS C1",
    "ears-c2": "EARS C2",
    "ears-c3": "EARS C3",
    "farrington-flexible": "Farrington（灵活法）",
    "Zones": "风险区",
}


def translator(lang: ReportLanguage | str) -> Callable[[str], str]:
    """The report's `_`: the Chinese of an English msgid for `zh` (the msgid itself if untranslated)."""
    if ReportLanguage(lang) is ReportLanguage.zh:
        return lambda text: ZH.get(text, text)
    return lambda text: text


def html_lang(lang: ReportLanguage | str) -> str:
    """The `lang` attribute (BCP 47)."""
    return "zh-CN" if ReportLanguage(lang) is ReportLanguage.zh else "en"
