"""Cleaning cell text: joining wrapped lines, splitting names, stripping boilerplate around section lists."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PLACEHOLDERS = {"", "/", "／", "\\", "-", "－", "—", "——", "–", "无", "暂无", "空", "略", "×", "n/a", "N/A"}
_HARD = re.compile(r"[、,，;；/／|｜\n\r]+")
_SOFT = re.compile(r"[\s\u3000\xa0]+")
# Closing formulas a bureau appends to a section or unit list; the sections before them are what counts.
_BOILERPLATE = re.compile(
    r"[(（]?等?(?:按照?|根据|依据|根據|依據)?(?:各自)?(?:职责|职能|職責|職能)(?:分工)?(?:分别|分別)?"
    r"(?:负责|落实|实施|推进|配合|抓好落实|抓落实|負責|落實|實施|推進|抓好落實|抓落實)?[)）]?[。.]?$"
)
_ITEM_TAIL = re.compile(r"(?:分别|分別)?(?:具体负责|具体实施|牵头负责|牵头|负责|配合|参与|协办|落实|实施|主抓|督导|"
                        r"牽頭負責|牽頭|負責|參與|協辦|落實)$")
# A section's own person written in brackets after it: "医政股（责任人：刘洋）".
_PERSON_NOTE = re.compile(r"\s*[(（](?:责任人|负责人|联系人)[:：][^（）()]*[)）]")


def is_cjk(ch: str) -> bool:
    """True for Han characters and the full-width punctuation that goes with them."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
        or ch in "“”‘’—…·"
    )


def join_lines(text: str) -> str:
    """A cell's lines joined into one: no space between CJK text, one space between Latin words."""
    out = ""
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\xa0", " ").strip()
        if not line:
            continue
        if out and (not (is_cjk(out[-1]) or is_cjk(line[0])) or _LIST_ITEM.match(line)):
            out += " "  # a numbered line ("1.3月底前…") stays apart from the text before it: 整治1.3月 is a decimal
        out += line
    return out


_LIST_ITEM = re.compile(r"\d{1,2}[.．、](?=\D|\d{1,2}月)|[(（]\d{1,2}[)）]|[\u2460-\u2473]")


def clean_text(text: str) -> str | None:
    """Joined cell text, or None when the cell holds nothing but a placeholder."""
    joined = join_lines(text)
    return None if joined in _PLACEHOLDERS else joined


def clean_verbatim(text: str) -> str | None:
    """The cell as written (line breaks kept), trimmed; None when empty or a placeholder."""
    lines = [line.replace("\xa0", " ").strip() for line in text.replace("\r\n", "\n").split("\n")]
    kept = "\n".join(line for line in lines if line)
    return None if kept in _PLACEHOLDERS else kept


def normalize_no(text: str) -> str:
    """序号 as written, with full-width digits made half-width and list punctuation dropped."""
    value = unicodedata.normalize("NFKC", join_lines(text)).strip()
    value = re.sub(r"\s+", "", value)
    return value.rstrip(".、,，:：")


_NO_RE = re.compile(r"^[(（]?(?:\d{1,6}|[一二三四五六七八九十百零〇]{1,5})[)）]?(?:[.\-_－—]\d{1,4}){0,3}$")


def looks_like_no(text: str) -> bool:
    """True when a cell reads as a row number (11, 81, 3-1, (一)), not as a note or a heading."""
    return bool(_NO_RE.match(normalize_no(text)))


def _join_single_chars(tokens: list[str], longest: int) -> list[str]:
    # "汪  峰" is one person: runs of single Han characters separated by spaces form a name.
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and is_cjk(token):
            run.append(token)
            continue
        if run:
            if len(run) == 1:
                out.append(run[0])
            elif len(run) <= longest:
                out.append("".join(run))
            else:
                out += ["".join(run[i:i + 2]) for i in range(0, len(run), 2)]
            run = []
        if token:
            out.append(token)
    return out


def _split(text: str, longest: int) -> list[str]:
    items: list[str] = []
    for piece in _HARD.split(text):
        tokens = [t for t in _SOFT.split(piece.strip()) if t]
        items += _join_single_chars(tokens, longest)
    return items


def _unique(items: list[str]) -> tuple[str, ...]:
    # A list written as a sentence ends in 。: the stop belongs to the sentence, not to the last name.
    items = [i.rstrip("。.") for i in items]
    return tuple(dict.fromkeys(i for i in items if i and i not in _PLACEHOLDERS))


def _strip_formula(text: str) -> str:
    # Every closing formula names 职责 or 职能; most cells have neither, so the regex is skipped.
    return _BOILERPLATE.sub("", text) if "职" in text or "職" in text else text


# A leader's post written beside the name: "李康民（副局长）", "李康民 副局长", "副局长李康民".
_POST = (r"(?:(?:党组|党委|党工委|纪检|纪委|监察|[一二三四]级)?(?:成员|副|常务副)?"
         r"(?:成员|委员|局长|主任|书记|调研员|科长|股长|站长|院长|组长|县长|市长|区长|镇长|乡长|主席|主任科员|监察员|专员|"
         r"总(?:会计|工程|经济|农艺|畜牧)?师))")
_POSTS = re.compile(rf"{_POST}(?:[、,，兼]?{_POST})*")
_POST_IN_BRACKETS = re.compile(rf"\s*[(（]\s*{_POSTS.pattern}\s*[)）]")
_POST_BEFORE_NAME = re.compile(rf"^{_POSTS.pattern}(?=[\u4e00-\u9fff]{{2,4}}$)")


def _without_post(item: str) -> str:
    return "" if _POSTS.fullmatch(item) else _POST_BEFORE_NAME.sub("", item)


# Posts of county and city leaders too, by the word they end in: 县委常委, 常务副县长, 组织部长, 县长助理, 政协副主席.
_POST_END = re.compile(
    r"(?P<pre>.*?)(?P<post>(?:常务)?副?(?:县长|区长|市长|镇长|乡长|局长|部长|处长|科长|股长|站长|院长|所长|主任|书记|主席|助理|"
    r"常委|委员|成员|调研员|专员|督学|组长|秘书长|监察员|总(?:会计|工程|经济|农艺|畜牧)?师))"
)
# Whether what comes before a post is a person's name (王明副局长) rather than an organ (公安局长, 县委常委): names
# start with a family name; these are the common ones.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳"
    "翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时"
    "穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
    "佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国"
    "狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_ORGAN = re.compile(r"^[县区市省镇乡]|[委府会部局办厅院所站处科股室组队]$")
_ROLE_TAIL = re.compile(r"(?:同志)?(?:主要负责|牵头负责|负总责|牵头|配合|负责|分管|联系|包保)?$")
_OTHERS_TAIL = re.compile(r"等(?:[县区市局]?(?:领导|同志))?$")
_BRACKETED_NOTE = re.compile(r"\s*[(（]([^（）()]*)[)）]")


def _note_only(inner: str) -> bool:
    """A bracket beside a name that holds posts or a role (（县委常委、常务副县长）, （牵头）, （分管医政）)."""
    parts = [p for p in re.split(r"[、，,;；\s]+", inner) if p]
    return bool(parts) and all(_POST_END.fullmatch(p) or _ROLE_TAIL.sub("", p) == "" or p.startswith(("分管", "负责"))
                               for p in parts)


def _person(item: str) -> str:
    """The name in an item of a leaders cell, without a post, a role or a "…：" before it; "" for a post alone."""
    item = re.split(r"[：:]", item)[-1].strip()
    item = _ROLE_TAIL.sub("", _OTHERS_TAIL.sub("", item)).strip()
    m = _POST_END.fullmatch(item)
    if not item or m is None:
        return item
    pre = m["pre"]
    named = 2 <= len(pre) <= 3 and pre[0] in _SURNAMES and not _ORGAN.search(pre)
    return pre if named else ""


@lru_cache(maxsize=8192)
def split_people(text: str) -> tuple[str, ...]:
    """Leader names: split on 、,，;；/ spaces and line breaks; "汪  峰" stays one person; posts written
    beside a name (（副局长）, 党组成员、副局长, 县委常委、常务副县长 王刚, 副县长：赵丽) and roles (牵头) are no names."""
    text = _strip_formula(text.strip())
    text = _BRACKETED_NOTE.sub(lambda m: "" if _note_only(m.group(1)) else m.group(0), _POST_IN_BRACKETS.sub("", text))
    items = [_without_post(_strip_formula(item)) for item in _split(text, 3)]
    names = _unique([_person(item) for item in items if item])
    # A cell naming only a post ("局长") names the leader by it.
    return names or _unique([_strip_formula(item) for item in _split(text, 3)])


# A person among units in a 责任分工 cell, marked as one: "王明同志", "王明分管", "副局长王明", "王明（副局长）".
_MARKED_PERSON = re.compile(
    rf"(?P<post>{_POSTS.pattern})?(?P<name>[\u4e00-\u9fff]{{2,4}}?)\s*"
    rf"(?P<mark>同志(?:负总责|总负责|分管)?|[(（]?{_POSTS.pattern}[)）]?|分管|负总责|总负责)?"
)
_UNIT_NAME_END = re.compile(r"[室股科局院办站所委部队组会处厅馆心镇村县区市]$")


_UNIT_LIKE = re.compile(r"[\u4e00-\u9fff]{1,20}(?:股|室|科|处|局|院|办|中心|站|所|队|委|部)")
_NAME_AND_UNIT = re.compile(r"(?P<name>[^（(]+?)\s*[（(](?P<unit>[^（）()]+)[）)]")


def people_and_units(items: tuple[str, ...], *, named: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A leaders cell that also names sections: (people, units). A unit in brackets counts always ("王明（医政股）",
    "王明\n（医政股）"); a bare one ("王明/医政股") only when the column is ``named`` for both (责任领导/股室), since
    a name may end like a unit (王广部)."""
    people: list[str] = []
    units: list[str] = []
    for item in items:
        text = item.strip()
        pair = _NAME_AND_UNIT.fullmatch(text)
        bracketed = len(text) > 2 and text[0] in "（(" and text[-1] in "）)"
        bare = text[1:-1].strip() if bracketed else text
        if pair and _UNIT_LIKE.fullmatch(pair["unit"].strip()):
            people.append(pair["name"].strip())
            units.append(pair["unit"].strip())
        elif (bracketed or named) and len(bare) >= 3 and _UNIT_LIKE.fullmatch(bare):
            units.append(bare)
        else:
            people.append(item)
    return tuple(people), tuple(units)


def marked_person(item: str) -> str | None:
    """The name in an item marked as a person (a post or 同志 beside it, or 分管); None for anything else."""
    m = _MARKED_PERSON.fullmatch(item.strip())
    if m is None or not (m["post"] or m["mark"]) or _UNIT_NAME_END.search(m["name"]):
        return None
    return m["name"]


@lru_cache(maxsize=8192)
def split_sections(text: str) -> tuple[str, ...]:
    """Lead sections without the closing formula ("…等按职责分工落实") or a list's trailing 等."""
    items = []
    for item in _split(_PERSON_NOTE.sub("", _strip_formula(text.strip())), 99):
        item = _ITEM_TAIL.sub("", _strip_formula(item))
        items.append(item[:-1] if item.endswith("等") and len(item) > 1 else item)
    return _unique(items)


@lru_cache(maxsize=8192)
def split_units(text: str) -> tuple[str, ...]:
    """Related units, split naively on 、 and ; (they are for display; a trailing 等 stays)."""
    return _unique([_strip_formula(item) for item in _split(_strip_formula(text.strip()), 99)])


_SENTENCE_END = re.compile(r"[。;；!！?？]")


def first_sentence(text: str) -> str:
    """The sentence before the first 。 (or ；), which names a work point."""
    head = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return head or text.strip()
