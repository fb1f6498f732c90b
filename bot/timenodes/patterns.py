"""The grammar of Chinese time nodes: compiled regexes over folded text (see normalize.fold).

Rules are tried in order at each position, so the ones that *block* a reading (document numbers, "as of"
facts, baselines) come before the ones that produce milestones: "截止6月30日" is consumed whole by the
as-of rule before the month rule can see "6月30日". Each rule is wrapped in a named group ``k_<rule>``;
``match.lastgroup`` names the rule that matched. MASTER is the plain alternation of all rules; GATE and
DISPATCH give the same matches about ten times faster (see extract.scan).
"""

from __future__ import annotations

import re

# Characters around a clause: the ongoing rule (长期, 持续推进 …) reads only a clause of its own, so
# "持续推进“中医药服务基层惠民行动”" (a verb with its object) is not a time node.
BOUND = r",.;:、。!?，；：！？\s()（）\[\]【】“”\"'《》<>"
OPEN_BOUND = r",.;:、。!?，；：！？\s(（\[【“《<"
CLOSE_BOUND = r",.;:、。!?，；：！？\s)）\]】”》>"
# 长期（每月报送）: a bracket opening a note also closes the clause before it (not “ or 《, which open an object).
ONGOING_CLOSE = CLOSE_BOUND + r"(（\[【"
SEP = r"\s?(?:-{1,2}|~|至|到)\s?"
# After 年中 / 月中, so that 2023年中医药 or 年中央 are not mid-year.
MID_LA = r"(?=前|之前|以前|完成|左右|[" + BOUND + r"]|$)"

YNUM = r"(?<!\d)(?:19|20)\d{2}(?!\d)"
YCN = r"(?<![一二三四五六七八九〇])[一二][〇九0][〇一二三四五六七八九0]{2}"  # 二0二四: a zero typed as a digit
# Template years: 20xx, 20__, 201x, 20X, __, and 2O24 with a letter O.
YPH = r"(?<![0-9A-Za-z_])(?=[0-9xXOo_]{0,3}[xXOo_])(?:[12][0-9xXOo_]{1,3}|[xX_]{2,4})"
YREL = r"(?:[今明次本去上下翌]|(?<![未以])来)"  # 翌年/来年 are next year (未来年度, 以来年均 are not)


def _month(sfx: str) -> str:
    """A month number before 月: 1–12, 一–十二, or a placeholder x/_ (groups m, mc, mp + sfx).

    Not after a decimal point (1.5个月), except after a list number opening a clause ("1.6月底前完成方案").
    """
    return (
        rf"(?:(?P<m{sfx}>(?:(?<![\d.])|(?<=^\d\.)|(?<=[\s;。；:：]\d\.))(?:1[0-2]|0?[1-9])(?!\d))"
        rf"|(?P<mc{sfx}>(?<![一二三四五六七八九十两〇第统唯逐单划同专万之每任其])(?:十[一二]?|[一二三四五六七八九]))"
        rf"|(?P<mp{sfx}>(?<![A-Za-z0-9_])[xX_]{{1,2}}))"
    )


def _day(sfx: str) -> str:
    """A day number followed by 日/号 (groups d, dc, dp + sfx)."""
    return (
        rf"(?:(?P<d{sfx}>(?:3[01]|[12]\d|0?[1-9])(?!\d))"
        rf"|(?P<dc{sfx}>三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
        rf"|(?P<dp{sfx}>[xX_]{{1,2}}))\s?[日号]"
    )


def _loose_date() -> str:
    """Any date expression, without groups: what an as-of or baseline phrase swallows."""
    num = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[xX_]{1,2})"
    year = rf"(?:{YNUM}|{YCN}|{YPH}|{YREL})\s?年度?"
    body = (
        rf"(?:{num}\s?(?:{SEP}{num}\s?)?月份?(?:{num}\s?[日号])?(?:底|末|上旬|中旬|下旬|初)?"
        r"|上半年|下半年|年底|年末|年内|年终|全年|前?第?[1-4一二三四]季度末?)"
    )
    return rf"(?:{year}(?:{body}|底|末)?|{body})"


LOOSE = _loose_date()

_YEAR = (
    "(?P<yg>(?:"
    + f"(?P<yn>{YNUM})|(?P<yc>{YCN})|(?P<yp>{YPH})|(?P<yr>{YREL})"
    + r")\s?年(?:度)?)"
)
# 6月龄, 0-6月龄: a baby's age in months (health tables), not a month.
NOT_AGE = r"(?!龄)"
_TAIL = r"(?P<tail>月?(?:底|末)|上旬|中旬|下旬|初|中" + MID_LA + ")"
_BODY_MONTH = (
    _month("")
    + r"(?P<yue>\s?月份?" + NOT_AGE + ")?(?:"
    + SEP + _month("2") + r"\s?月份?" + NOT_AGE + r"(?:月?(?:底|末))?"
    + "|(?(yue)(?:" + _day("") + "(?:" + SEP + "(?:" + _month("3") + r"\s?月)?" + _day("2") + ")?|" + _TAIL + ")?|(?!))"
    + ")"
)
_BODY_HALF = r"(?P<half>上半年|下半年|(?(yg)年?|年)中" + MID_LA + r")度?"
_BODY_QUARTER = r"(?P<qpre>前)?第?(?P<q>(?<!\d)[1-4]|[一二三四])\s?季度(?:末|底)?"
_YE_AFTER = r"(?P<yea>年?(?:底|末|终|内(?!容))|全年)"
_YE_ALONE = r"(?<![\d一二三四五六七八九十两几多半数])(?P<yeb>年内|年底|年末|年终|全年|年度内)"
_DATE = (
    _YEAR + "?"
    + "(?P<body>" + _BODY_MONTH + "|" + _BODY_HALF + "|" + _BODY_QUARTER
    + "|(?(yg)" + _YE_AFTER + "|" + _YE_ALONE + "))?"
    + "(?(yg)|(?(body)|(?!)))"
    + "(?P<pre>之前|以前|前)?"
)

_PERIOD = r"半年|季度?|月|年度?|周|星期|天|日"
_ITEM_DIGIT = r"(?:1[0-2]|0?[1-9])"
_ITEM_CN = r"(?:十[一二]?|[一二三四五六七八九])"
# At most twelve items: a longer run of "1、1、1、…" without 月 fails fast instead of in quadratic time.
_ITEMS_DIGIT = rf"(?<![\d.]){_ITEM_DIGIT}(?:\s?[、和及]\s?{_ITEM_DIGIT}){{1,11}}(?!\d)"
_ITEMS_CN = rf"{_ITEM_CN}(?:[、和及]{_ITEM_CN}){{1,11}}"

# First characters (of folded text) each kind of expression can start with; see FIRST_CHARS below.
_DIGITS = "0123456789"
_NUMERALS = "一二三四五六七八九十"
_DATE_FIRST = _DIGITS + _NUMERALS + "xX_" + "今明次本去上下翌来" + "年全前第"

# (rule, pattern, characters a match can start with). Order matters: at one position the first rule wins.
RULES: tuple[tuple[str, str, str], ...] = (
    # --- things that look like dates but are not deadlines ---
    # A cited title (《…三年行动方案（2024—2026年）》, 《…2025年工作要点》) names a document; its years and
    # dates are the document's, not the task's. No 。 inside, so an unbalanced 《 cannot swallow a sentence.
    ("title", r"《[^《》。]{0,100}》|〈[^〈〉。]{0,100}〉", "《〈"),
    ("docno", r"[〔\[【(（]\s?[12][\dOo]{3}\s?[〕\]】)）]\s?\d*\s?号?", "〔[【(（"),
    ("section", r"[(（][一二三四五六七八九十]{1,3}[)）]", "(（"),
    ("label", r"(?:截止|完成|办结)(?:时间|日期|时限)(?:为|是)?", "截完办"),
    ("asof_pre", rf"截[止至](?:到|至)?\s?{LOOSE}?", "截"),
    ("baseline", rf"(?:较之|较|同比|相比|对比|比)于?\s?{LOOSE}", "较同相对比"),
    ("not_recurring", r"不定期", "不"),
    ("asof_suffix", rf"(?:[至到从自]\s?)?{LOOSE}\s?(?:为止|止|以来|至今)", "至到从自" + _DATE_FIRST),
    # --- readings ---
    # 2024.6.30, 2024/06/30, 2024-6-30 and ranges 2024.3-6, 2024.3-2024.6: one separator inside a date, so
    # 2024.3-6 is March to June (not 6 March).
    ("iso", r"(?<![\d/.\-])(?P<iy>(?:19|20)\d\d)(?P<isep>[-/.])(?P<im>1[0-2]|0?[1-9])(?:(?P=isep)(?P<id>3[01]|[12]\d|0?[1-9]))?"
            r"(?!\d)(?:" + SEP + r"(?:(?P<iy2>(?:19|20)\d\d)[-/.])?(?P<im2>1[0-2]|0?[1-9])(?:[-/.](?P<id2>3[01]|[12]\d|0?[1-9]))?(?!\d))?"
            r"(?P<itime>[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?P<ipre>之前|以前|前)?", "12"),
    # 6.30前, 6/30, 4.1-4.30: month.day without a year (a reading only alone in the cell or with 前, as
    # 2.5万人次, 3.0版本 and 6.5% share the shape;
    # "1.6月底前" is item 1 of a numbered list).
    ("md", r"(?<![\dA-Za-z./])(?P<dm>1[0-2]|0?[1-9])(?P<dsep>[./])(?P<dd>3[01]|[12]\d|0?[1-9])(?![\d.%/]|月)"
           r"(?:" + SEP + r"(?:(?P<dm2>1[0-2]|0?[1-9])(?P=dsep))?(?P<dd2>3[01]|[12]\d|0?[1-9])(?![\d.%/]|月))?"
           r"(?P<dpre>日?(?:之前|以前|前))?", _DIGITS),
    ("span", rf"(?P<sy1>{YNUM})\s?年?{SEP}(?P<sy2>{YNUM})\s?年度?", "12"),
    # 每年两次 / 一年开展4次: so many times a year is a period of its own (half, quarter, month).
    ("times_a_year", r"[每一]年度?(?:至少|不少于)?(?:开展|组织|召开|举办|进行|报送|通报|更新)?(?:至少|不少于)?"
                     r"(?P<tn>两|二|2|四|4|十二|12)\s?次", "每一"),
    ("duration", r"(?:用|花)\s?(?P<dn>[一二两三四五六七八九十]|\d{1,2})\s?个?年(?:时间|左右)?"
                 r"|(?<![\d一二三四五六七八九十两几])(?P<dn2>[一二两三四五]|\d)\s?年内", "用花一二两三四五" + _DIGITS),
    ("one_per", r"一(?P<p1>月|季度?|年|周)一(?![日号十〇\d一二三四五六七八九])(?!个?变?样)", "一"),  # 一年一个样: a slogan
    # 每两个月, 每两周: reminded every period (the closest the scheduler has), flagged as an estimate.
    ("every_n", r"每隔?\s?(?P<en>[两二三四五六]|[2-6])\s?个?(?P<p6>月|周|星期|季度?)", "每"),
    ("every", rf"每(?:个|一)?\s?(?P<p2>{_PERIOD})(?P<rq>末|底|初|(?P<rqd>\d{{1,2}}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s?[日号])?(?:之前|以前|前)?", "每"),
    ("by_period", r"按(?P<p3>月|季度?|半年|年度|周)(?![份龄节期])", "按"),
    ("yearly", r"逐(?P<p4>年|月|季度?)", "逐"),
    ("periodic", r"定期", "定"),
    ("vague", r"尽快|尽早|适时|按序时|如期|立即|立行立改|即知即改|即查即改", "尽适按如立即"),
    # 十四五末 / “十四五”期末: the end of a five-year plan (十一五 ended 2010, 十四五 ends 2025); 十四五 alone
    # or 十四五期间 names a span, not a deadline.
    # 国庆节前, 五一前, 元旦前: before a public holiday of fixed date (春节 and 端午 move with the lunar calendar).
    ("holiday", r"(?P<hol>国庆|五一|劳动节|元旦)节?(?:假期|放假)?(?:之前|以前|前)", "国五劳元"),
    ("plan_end", r"十(?P<fy>[一二三四五六七八九])五[”\"']?\s?(?:规划)?(?:期末|末期|末|收官之年|收官)", "十"),
    ("ongoing", rf"(?<![^{OPEN_BOUND}])(?:长期|持续|常态化?|长效|常年)(?:长效|长期)?化?(?:推进|坚持|开展|执行|落实|实施|进行|有效|保持|抓好|推动|跟进|做好|深化|加强|巩固|提升|优化|完善)?性?(?:工作|任务)?中?(?![^{ONGOING_CLOSE}])", "长持常"),
    # 6、12月 / 3、6、9、12月底前 / 二、三季度: one shared unit, a node per item (items in one script, so an
    # outline number "一、" before "6月底前" is not an item).
    ("enum", rf"(?:(?P<ly>{YNUM})\s?年)?(?P<litems>{_ITEMS_DIGIT}|{_ITEMS_CN})\s?(?P<lunit>月份?(?!龄)|季度)(?P<ltail>底|末)?(?P<lpre>之前|以前|前)?",
     _DIGITS + _NUMERALS + "12"),
    # 上、下半年 (各一次): both halves.
    ("both_halves", r"上\s?[、和及]?\s?下半年度?", "上"),
    # 月度 / 季度 / 季度末 / 半年度 / 月报 / 季报 as the whole deadline cell: recurring (in running text, 季度考核 is a noun).
    ("period_word", r"(?P<p5>月度|季度末?|季末|半年度|[周月季年]报|半年报)", "月季半周年"),
    ("date", _DATE, _DATE_FIRST),
)


def _alternation(rules: tuple[tuple[str, str, str], ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<k_{name}>{body})" for name, body, _ in rules))


# The reference scanner: every rule at every position. Correct but slow (Python's re tries each
# alternative at each character); extract() uses the dispatch below and a test checks both agree.
MASTER = _alternation(RULES)

# Fast path: only positions where some rule can start are tried, each with just the rules that can start
# with that character (in RULES order, so the precedence is the same). A position qualifies when its
# character is a possible first character *and* what follows could continue a match (a digit needs 年, 月,
# 季, a dash … within a few characters); these lookaheads are necessary conditions, never sufficient ones.
_LOOSE_FIRST = r"[\dxX_一二三四五六七八九十今明次本去上下翌来年全前第]"
_CONTINUATIONS: tuple[tuple[str, str], ...] = (
    ("0123456789", r"[\dxXOo_\s]{0,4}[年月日号季\-/.~至到、和及]"),
    ("一二三四五六七八九十两", r"[一二三四五六七八九十两〇0\s]{0,3}[年月日号季\-~至到、和及]"),
    ("xX_", r"[\dxXOo_\s]{0,4}[年月日号\-~至到]"),
    ("今明次本去上下翌来", r"\s?年|半年"),
    ("上", r"\s?[、和及]?\s?下半年"),
    ("年", r"[内底末终中]|度内"),
    ("全", r"年"),
    ("前", r"第?[1-4一二三四]\s?季度"),
    ("第", r"[1-4一二三四]\s?季度"),
    ("至到从自", r"\s?" + _LOOSE_FIRST),
    ("较", r""),
    ("同相对", r"比"),
    ("比", r"于?\s?" + _LOOSE_FIRST),
    ("截", r"[止至]"),
    ("完办", r"[成结](?:时间|日期|时限)"),
    ("不", r"定期"),
    ("用花", r"\s?[一二两三四五六七八九十\d]"),
    ("每", r"[个一隔]?\s?(?:[两二三四五六\d]\s?个?)?[半季月年周星天日]"),
    ("按", r"[月季半年周序]"),
    ("逐", r"[年月季]"),
    ("定", r"期"),
    ("月", r"[度报]"),
    ("季", r"[度末报]"),
    ("半", r"年[度报]"),
    ("周", r"报"),
    ("年", r"报"),
    ("尽", r"[快早]"),
    ("立", r"[即行]"),
    ("即", r"[知查]即"),
    ("十", r"[一二三四五六七八九]五"),
    ("适", r"时"),
    ("如", r"期"),
    ("长", r"[期效]"),
    ("持", r"续"),
    ("常", r"[态年]"),
    ("国", r"庆"),
    ("五", r"一"),
    ("劳", r"动"),
    ("元", r"旦"),
    ("〔[【(（", r"\s?[12一二三四五六七八九十]"),
    ("《", r"[^《》。]{0,100}》"),
    ("〈", r"[^〈〉。]{0,100}〉"),
)
FIRST_CHARS = "".join(sorted({c for _, _, first in RULES for c in first}))
assert set(FIRST_CHARS) <= {c for chars, _ in _CONTINUATIONS for c in chars}, "a first character has no gate"
# One literal-led alternative per character, so re scans for the first characters in C and then
# tries only that character's lookahead.
GATE = re.compile("|".join(f"{re.escape(c)}(?={la})" for chars, la in _CONTINUATIONS for c in chars))
_by_subset: dict[tuple[str, ...], re.Pattern[str]] = {}
DISPATCH: dict[str, re.Pattern[str]] = {}
for _c in FIRST_CHARS:
    _subset = tuple(r for r in RULES if _c in r[2])
    _key = tuple(name for name, _, _ in _subset)
    if _key not in _by_subset:
        _by_subset[_key] = _alternation(_subset)
    DISPATCH[_c] = _by_subset[_key]

# Words near a bare year that make it a goal: 2025年达…目标, 完成2023年…, 到2025年.
GOAL = re.compile(r"达|完成|实现|目标|建成|确保|力争|争取|到|至")
# A completion verb right after a numeric date (2024.6.30完成): the date is the task's, not page metadata.
DONE = re.compile(r"\s?(?:完成|完工|竣工|办结|建成|到位|上线|投用|投运)(?!情况|率|进度|数|量|值|比例|时间)")
# Where a clause begins: a list item number such as "1、" stands there (see rules.on_enum).
CLAUSE_START = frozenset(" \t\r\n\u3000;。；:：")
# Where a sentence ends: a year named with a month carries over to bare months up to here.
SENTENCE_END = re.compile(r"[。；;!?！？\n]")
# Between the two ends of a range (2024年10月至2025年3月, 二季度—三季度).
RANGE_GAP = re.compile(SEP)
# After a date that starts something (自3月起, 从4月开始) rather than ends it.
START_WORD = re.compile(r"\s?(?:起|开始|以后|之后|后)")
# What 截至/截止 swallows before its date, and what may follow when the cell is just "截至2024年底(前)".
ASOF_HEAD = re.compile(r"截[止至](?:到|至)?\s?")
DATE = re.compile(_DATE)
CLAUSE_END = re.compile(r"[,;。!?\n:，；！？：]")
# Nouns after 全年 that make it "the year's workload" (全年任务的50%), not a deadline of its own.
YEAR_NOUN = re.compile(r"任务|目标|计划|工作|指标")
