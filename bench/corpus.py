"""A deterministic benchmark corpus: a complete site root with N generated items.

    python bench/corpus.py N OUT_DIR [--seed S]

writes OUT_DIR/site.toml (the repository's own site.toml, copied: its sections
(科室) and its category catalogue (目录分类)) and OUT_DIR/content/ with N
disclosure items (公开条目) and two fixed pages. The text is drawn from
bench/seed.txt (the bureau's 政务公开 work plan), with generated names, dates,
amounts and Markdown pipe tables.

- Same N and seed (and the same repository site.toml) => byte-identical files:
  one seeded RNG, no clock, no hash ordering. Item i does not depend on N, so
  the corpus of 1,000 items is the first 1,000 items of the corpus of 10,000.
- Bodies are 800–2,500 characters; about 35% hold a pipe table.
- Every visibility state occurs once N >= 10 (the first items take each held-back
  state in turn): draft (also with `status` left out), proposed, withdrawn,
  not_reviewed, future, expired, abolished, internal (internal categories and
  `audience: internal`), channel (not on the website; `channels: [website]` ones
  are held back from the kiosk). About 82% of the items are published.
- 索引号 are unique (`<org>/<year>-<seq>`, a sequence per year), 2016–2027.
- Every item sets `updated` and `proposed_date`, so the build output does not
  depend on file times or git history.

Importable: `generate(n, out_dir)` returns a `Corpus` with what it wrote;
`NOW` is the moment the states are planned for (use it as `--now`).
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED_TEXT = HERE / "seed.txt"
SITE_TOML = REPO / "site.toml"
MARKER = ".bench-corpus"          # written last; tells a finished corpus and what made it

NOW = "2026-11-26T08:00:00+08:00"  # the moment the visibility states are planned for
SEED = 20261126
MAX_ITEMS = 500_000
BODY_MAX = 2500               # 索引号 sequences have five digits per year

TZ = timezone(timedelta(hours=8))
_NOW = datetime.fromisoformat(NOW)
_TODAY = _NOW.date()
FIRST_YEAR, LAST_YEAR = 2016, 2026

# Held-back states (as the website build reports them) and how often they occur.
STATES = ("draft", "proposed", "withdrawn", "not_reviewed", "future", "expired", "abolished", "internal",
          "channel")
_STATE_WEIGHTS = {"published": 850, "draft": 25, "proposed": 20, "withdrawn": 10, "not_reviewed": 5,
                  "future": 20, "expired": 20, "abolished": 10, "internal": 10, "channel": 15}
_STATE_NAMES = tuple(_STATE_WEIGHTS)
_STATE_CUM = tuple(itertools.accumulate(_STATE_WEIGHTS.values()))

# How often each leaf category is used (unknown codes: 3); 0404/0405/0407 are internal.
_CATEGORY_WEIGHTS = {"0101": 3, "0102": 3, "0103": 3, "0201": 2, "0202": 2, "0203": 2, "0204": 20,
                     "0205": 12, "0206": 10, "0207": 10, "0208": 4, "0209": 3, "0301": 4, "0302": 2,
                     "0303": 4, "0304": 3, "0305": 1, "0401": 2, "0402": 4, "0403": 3, "0404": 2,
                     "0405": 1, "0406": 2, "0407": 2}
# Which departments (section folders) write which categories; missing folders fall back to all.
_AUTHORS = {"01": ("bangongshi", "fagui"), "0201": ("fagui",), "0202": ("fagui",), "0203": ("fagui",),
            "0204": ("tezhong", "jiliang", "zhiliang"), "0205": ("fagui", "zhiliang", "tezhong"),
            "0206": ("zhiliang", "tezhong", "jiliang"), "0207": ("zhiliang",), "0208": ("fagui", "zhiliang"),
            "0209": ("zhiliang",), "03": ("bangongshi",), "0401": ("bangongshi",), "0402": ("bangongshi",),
            "0403": ("bangongshi",), "0404": ("renshi",), "0405": ("renshi",), "0406": ("renshi",),
            "0407": ("dangwei",)}
_DOC_WORD = {"0204": "许", "0205": "罚", "0206": "监", "0207": "监", "0208": "罚", "0404": "人", "0405": "人",
             "0406": "人", "0407": "党"}

_PLACES = ("泰州市", "海陵区", "高港区", "姜堰区", "兴化市", "靖江市", "泰兴市", "医药高新区")
_NAMES = ("恒达", "润禾", "华信", "永盛", "金鼎", "宏远", "天成", "鑫源", "博达", "联创", "瑞丰", "苏中", "长江",
          "凤城", "春兰", "海川", "新程", "东方", "明珠", "银河", "泰和", "嘉禾", "中天", "汇通", "昌盛", "正大")
_TRADES = ("起重机械", "电器制造", "化工", "机电设备", "食品", "压力容器", "计量仪器", "建材", "电线电缆",
           "锅炉", "船舶配件", "汽车配件", "纺织", "医疗器械", "塑料制品", "燃气具", "眼镜", "电梯工程")
_PRODUCTS = ("电线电缆", "转换器", "燃气灶具", "儿童玩具", "复合肥料", "热轧带肋钢筋", "眼镜镜片", "电动自行车",
             "家用电器", "建筑防水卷材", "水泥", "化妆品", "食品相关产品", "安全帽", "消防器材", "车用尿素")
_LICENCES = ("桥式起重机制造", "压力管道安装", "电梯安装改造维修", "锅炉安装", "气瓶充装", "压力容器制造",
             "计量器具型式批准", "计量标准考核", "检验检测机构资质认定", "工业产品生产许可", "特种设备检验检测")
_FIELDS = ("特种设备", "产品质量", "计量", "标准化", "认证认可", "检验检测", "质量信用", "执法监管")
_PERSONS = ("顾维中", "王建春", "李明华", "陈志刚", "周晓燕", "吴国平", "徐立新", "孙红梅", "朱建军", "胡静")
_REVIEWERS = ("顾维中", "王建春", "陈志刚", "吴国平")
_HEADINGS = ("基本情况", "主要内容", "工作依据", "具体措施", "办理结果", "有关要求", "监督方式", "救济途径",
             "工作安排", "下一步工作", "公开方式", "有关说明")
_NUMERALS = "一二三四五六七八九十"
_TOPICS = ("行政权力运行", "政务公开", "质量提升", "特种设备安全", "计量监督", "标准化工作", "执法监督",
           "信用监管", "双随机抽查", "优化营商环境", "依法行政", "信息公开", "安全生产", "质量强市")
_KEYWORDS = {"0204": ("行政许可", "特种设备"), "0205": ("行政处罚", "产品质量法"), "0206": ("执法监管", "监督检查"),
             "0207": ("抽查结果", "产品质量"), "0208": ("严重违法失信", "信用"), "0209": ("红名单", "质量信用"),
             "0301": ("经费支出", "三公经费"), "0402": ("政府采购",), "0403": ("预决算",)}
_SEASONS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass
class Corpus:
    """What `generate` wrote."""

    root: Path
    n: int
    seed: int
    now: str = NOW
    states: dict[str, int] = field(default_factory=dict)    # planned state -> items
    tables: int = 0                                          # items with a pipe table
    files: int = 0                                           # files written (items, pages, site.toml)
    reused: bool = False                                     # an identical corpus was already there


# ------------------------------------------------------------------ seed text

def _normalise(text: str) -> str:
    """The seed's half-width punctuation as a bureau's documents write it."""
    return (text.replace(",", "，").replace(";", "；").replace(":", "：").replace("(", "（")
            .replace(")", "）"))


def _sentences(text: str) -> tuple[str, ...]:
    """Whole sentences (ending in 。) of the seed, without list numbering."""
    found = []
    for line in _normalise(text).splitlines():
        line = line.strip()
        for prefix_end in ("．", "."):
            head, sep, rest = line.partition(prefix_end)
            if sep and head.isdigit():
                line = rest
        if len(line) > 3 and line[0] == "（" and "）" in line[:5]:
            line = line[line.index("）") + 1:]
        for part in line.split("。"):
            part = part.strip()
            if len(part) >= 12:
                found.append(part + "。")
    return tuple(dict.fromkeys(found))      # de-duplicated, first occurrence order


# ------------------------------------------------------------------ the generator

class _Writer:
    """One item at a time from one RNG stream; item i depends only on items before it."""

    def __init__(self, rng: random.Random, config: dict, sentences: tuple[str, ...]):
        self.rng = rng
        self.sentences = sentences
        self.org = config["site"]["org_code"]
        cats = {c["code"]: c for c in config["categories"]}
        self.cats = cats
        self.leaves = [c for c in cats if not any(o != c and o.startswith(c) for o in cats)]
        self.leaf_cum = list(itertools.accumulate(_CATEGORY_WEIGHTS.get(c, 3) for c in self.leaves))
        self.folders = [s["folder"] for s in config["sections"]]
        self.departments = {s["folder"]: s["department"] for s in config["sections"]}
        self.authors = {}
        for code in self.leaves:
            wanted = _AUTHORS.get(code) or _AUTHORS.get(code[:2]) or ()
            self.authors[code] = [f for f in wanted if f in self.departments] or self.folders
        self.seq: dict[int, int] = {}
        self.year_cum = list(itertools.accumulate(
            10 + 3 * (y - FIRST_YEAR) for y in range(FIRST_YEAR, LAST_YEAR + 1)))

    # small helpers ---------------------------------------------------------
    def pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def company(self) -> str:
        return f"{self.pick(_PLACES)}{self.pick(_NAMES)}{self.pick(_TRADES)}有限公司"

    def person(self) -> str:
        return self.pick(_PERSONS)

    def day_in(self, year: int) -> date:
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), _TODAY - timedelta(days=1))
        return start + timedelta(days=int(self.rng.random() * ((end - start).days + 1)))

    def cn_date(self, d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    def paragraph(self, low: int = 2, high: int = 5) -> str:
        return "".join(self.pick(self.sentences) for _ in range(self.rng.randint(low, high)))

    # one item ------------------------------------------------------------------
    def item(self, i: int) -> tuple[str, str, str, bool, str]:
        """-> (section folder, file name, file text, has table, state) for item number i.

        The state is the website build's reason for holding the item back, or "published"."""
        rng = self.rng
        state = STATES[i] if i < len(STATES) else _STATE_NAMES[
            bisect.bisect_right(_STATE_CUM, rng.random() * _STATE_CUM[-1])]
        code = self.leaves[bisect.bisect_right(self.leaf_cum, rng.random() * self.leaf_cum[-1])]
        folder = self.pick(self.authors[code])
        cat = self.cats[code]
        internal_category = cat.get("audience") == "internal"

        if state == "future":
            pub = _TODAY + timedelta(days=rng.randint(1, 120))
        elif state == "expired":
            pub = self.day_in(rng.randint(FIRST_YEAR, LAST_YEAR - 1))
        else:
            year = FIRST_YEAR + bisect.bisect_right(self.year_cum, rng.random() * self.year_cum[-1])
            pub = self.day_in(year)
        doc = pub - timedelta(days=rng.randint(0, 20))
        seq = self.seq[pub.year] = self.seq.get(pub.year, 0) + 1
        index_no = f"{self.org}/{pub.year}-{seq:05d}"
        numbered = not (state == "draft" and rng.random() < 0.6)   # most drafts have no 索引号 yet
        name = f"{cat.get('slug') or code}-{pub.year}-{seq:05d}.md" if numbered else \
            f"{cat.get('slug') or code}-draft-{i:06d}.md"

        title = self.title(code, cat["name"], pub, seq)
        fm = [("title", json.dumps(title, ensure_ascii=False)), ("category", f'"{code}"')]
        if numbered:
            fm.append(("index_no", f'"{index_no}"'))
        status = {"draft": "draft", "proposed": "proposed", "withdrawn": "withdrawn"}.get(state, "approved")
        if not (state == "draft" and rng.random() < 0.5):        # half the drafts leave status out
            fm.append(("status", status))
        if status == "approved" and state != "not_reviewed" or state == "withdrawn":
            fm.append(("reviewer", self.pick(_REVIEWERS)))
        if rng.random() < 0.05:
            fm.append(("review", "collective"))
        if rng.random() < 0.3 and state != "future":
            fm.append(("pub_date", f"{pub.isoformat()} {rng.randint(8, 17):02d}:{self.pick(('00', '30'))}:00+08:00"))
        else:
            fm.append(("pub_date", pub.isoformat()))
        if state == "expired":
            span = (_TODAY - pub).days
            fm.append(("expiry_date", (pub + timedelta(days=rng.randint(min(30, span - 1), span - 1))).isoformat()))
        elif state == "published" and rng.random() < 0.04:
            fm.append(("expiry_date", (_TODAY + timedelta(days=rng.randint(30, 720))).isoformat()))
        if state == "abolished":
            fm.append(("abolished", "true"))
        fm.append(("doc_date", doc.isoformat()))
        fm.append(("proposed_date", min(doc + timedelta(days=rng.randint(0, 5)), pub).isoformat()))
        if rng.random() < 0.7:
            fm.append(("doc_no", f'"泰质监{_DOC_WORD.get(code, self.pick("发办函"))}〔{pub.year}〕{seq % 400 + 1}号"'))
        if state == "internal" and not internal_category:
            fm.append(("audience", "internal"))
        if state == "channel":
            fm.append(("channels", "[intranet]" if internal_category else
                       self.pick(("[intranet]", "[touchscreen, intranet]"))))
        elif state == "published" and rng.random() < 0.02 and not internal_category:
            fm.append(("channels", "[website]"))                   # held back from the kiosk
        if internal_category and state in ("published", "channel"):
            state = "internal"                                     # the rule checks audience first
        if rng.random() < 0.7:
            summary = self.pick(self.sentences)
            fm.append(("summary", json.dumps(summary if len(summary) <= 100 else summary[:99] + "…",
                                             ensure_ascii=False)))
        words = list(_KEYWORDS.get(code, ())) + [self.pick(_TOPICS)]
        fm.append(("keywords", "[" + ", ".join(dict.fromkeys(words)) + "]"))
        fm.append(("updated", min(pub + timedelta(days=rng.randint(0, 40)), max(pub, _TODAY)).isoformat()))

        body, table = self.body(code, pub)
        head = "".join(f"{k}: {v}\n" for k, v in fm)
        return folder, name, f"---\n{head}---\n\n{body}", table, state

    def title(self, code: str, cat_name: str, pub: date, seq: int) -> str:
        pick, rng, year = self.pick, self.rng, pub.year
        n = seq % 400 + 1
        titles = {
            "0101": lambda: f"泰州市质量技术监督局{pick(_TOPICS)}工作制度（{year}年修订）",
            "0102": lambda: f"关于《泰州市{pick(_TOPICS)}实施办法（征求意见稿）》公开征求意见的公告",
            "0103": lambda: f"关于印发《泰州市{pick(_TOPICS)}工作方案》的通知",
            "0201": lambda: f"{year}年行政权力清单（{pick(_FIELDS)}）",
            "0202": lambda: f"{year}年责任清单（{pick(_FIELDS)}）",
            "0203": lambda: f"{pick(_FIELDS)}行政处罚自由裁量权基准（{year}年版）",
            "0204": lambda: f"关于准予{self.company()}{pick(_LICENCES)}许可的决定",
            "0205": lambda: f"行政处罚决定书（泰质监罚〔{year}〕{n}号）",
            "0206": lambda: f"{year}年{rng.randint(1, pub.month)}月{pick(_FIELDS)}执法检查情况通报",
            "0207": lambda: f"{year}年第{rng.randint(1, 8)}批{pick(_PRODUCTS)}产品质量监督抽查结果公告",
            "0208": lambda: f"{self.company()}严重违法失信信息公示",
            "0209": lambda: f"{year}年度{pick(_FIELDS)}质量信用红名单公示",
            "0301": lambda: f"{year}年{pick(_SEASONS)}“三公”经费支出情况",
            "0302": lambda: f"关于{pick(_PLACES)}{pick(_PRODUCTS)}质量安全事件的情况通报",
            "0303": lambda: f"关于群众关注的{pick(_PRODUCTS)}质量问题的回应",
            "0304": lambda: f"{year}年{pick(_SEASONS)}依申请公开办理情况",
            "0305": lambda: f"泰州市质量技术监督局{year}年政府信息公开工作年度报告",
            "0401": lambda: f"{pick(_PLACES)}检验检测基地{pick(('建设', '验收', '审计'))}情况公开（第{n}期）",
            "0402": lambda: f"{pick(_PRODUCTS)}检验设备政府采购{pick(('招标', '中标', '成交'))}公告（{year}-{n}）",
            "0403": lambda: f"泰州市质量技术监督局{year}年度部门{pick(('预算', '决算'))}公开",
            "0404": lambda: f"关于{self.person()}等{rng.randint(2, 9)}名同志职务任免的通知",
            "0405": lambda: f"{year}年度考核优秀等次人员公示（第{n}号）",
            "0406": lambda: f"{year}年直属单位公开招聘工作人员{pick(('拟录用人员', '笔试成绩', '资格复审'))}公示",
            "0407": lambda: f"机关党委{year}年{rng.randint(1, pub.month)}月{pick(('主题党日', '党风廉政建设', '理论学习'))}情况",
        }
        make = titles.get(code)
        return make() if make else f"关于{cat_name}有关事项的公告（{year}年第{n}号）"

    def body(self, code: str, pub: date) -> tuple[str, bool]:
        """800–2,500 characters of Markdown: headed sections of seed sentences, maybe a table."""
        rng, pick = self.rng, self.pick
        target = rng.randint(800, BODY_MAX)
        table = self.table(code, pub) if rng.random() < 0.35 else ""
        fact = (f"{self.cn_date(pub - timedelta(days=rng.randint(20, 90)))}，本局对{self.company()}等"
                f"{rng.randint(2, 60)}家单位开展{pick(_FIELDS)}监督检查，涉及{pick(_PRODUCTS)}等"
                f"{rng.randint(3, 40)}个批次，货值金额{rng.randint(1000, 900000)}元。")
        closing = (f"联系电话：0523-8688{rng.randint(0, 9999):04d}\n\n"
                   f"泰州市质量技术监督局  \n{self.cn_date(pub)}\n")
        parts = [self.paragraph(1, 3) + fact]
        size = len(parts[0]) + 2 + (len(table) + 2 if table else 0) + len(closing)
        heading = 0
        while size < target:
            heading += 1
            block = f"## {_NUMERALS[(heading - 1) % 10]}、{pick(_HEADINGS)}\n\n"
            sentences = ""
            for _ in range(rng.randint(2, 6)):
                sentence = pick(self.sentences)
                if size + len(block) + len(sentences) + len(sentence) + 2 > BODY_MAX:
                    break
                sentences += sentence
                if size + len(block) + len(sentences) >= target:
                    break
            if not sentences:
                break
            block += sentences
            if rng.random() < 0.2:
                listed = "\n".join(f"{k}. {pick(self.sentences)}" for k in range(1, rng.randint(3, 5)))
                if size + len(block) + len(listed) + 4 <= BODY_MAX:
                    block += "\n\n" + listed
            parts.append(block)
            size += len(block) + 2
        if table:
            parts.insert(min(2, len(parts)), table)      # after the first section
        body = "\n\n".join(p.rstrip("\n") for p in parts) + "\n\n" + closing
        return body, bool(table)

    def table(self, code: str, pub: date) -> str:
        rng = self.rng
        rows = rng.randint(3, 12)
        if code == "0204":
            head = ("序号", "企业名称", "许可项目", "证书编号", "有效期至")
            row = lambda k: (str(k), self.company(), self.pick(_LICENCES),
                             f"TS{rng.randint(2000000, 9999999)}-{pub.year + 4}",
                             (pub + timedelta(days=1460)).isoformat())
        elif code in ("0207", "0206"):
            head = ("序号", "产品名称", "生产企业", "规格型号", "抽查结果")
            row = lambda k: (str(k), self.pick(_PRODUCTS), self.company(),
                             f"{self.pick('ABCDEFGHJK')}{self.pick('RSTXYZ')}-{rng.randint(10, 999)}",
                             self.pick(("合格", "合格", "合格", "不合格")))
        elif code in ("0301", "0403"):
            head = ("项目", "预算数（万元）", "支出数（万元）", "增减（%）")
            row = lambda k: (self.pick(("因公出国（境）费", "公务接待费", "公务用车购置费", "公务用车运行费",
                                        "会议费", "培训费", "差旅费")),
                             f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
                             f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
                             f"{self.pick('+-')}{rng.randint(0, 40)}.{rng.randint(0, 9)}")
        elif code in ("0208", "0209"):
            head = ("序号", "企业名称", "类别", "所在地区", "列入日期")
            row = lambda k: (str(k), self.company(), self.pick(_FIELDS), self.pick(_PLACES), pub.isoformat())
        else:
            head = ("序号", "单位名称", "事项", "办理结果", "日期")
            row = lambda k: (str(k), self.company(), self.pick(_TOPICS), self.pick(("已办结", "办理中", "已答复")),
                             (pub - timedelta(days=rng.randint(0, 60))).isoformat())
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row(k)) + " |" for k in range(1, rows + 1)]
        return "\n".join(lines) + "\n"

    def page(self, title: str, summary: str) -> str:
        blocks = [f"## {_NUMERALS[k]}、{self.pick(_HEADINGS)}\n\n{self.paragraph(3, 6)}" for k in range(5)]
        return (f"---\ntitle: {title}\nsummary: {summary}\nupdated: 2026-01-05\n---\n\n"
                + "\n\n".join(blocks) + "\n")


# ------------------------------------------------------------------ writing

def _fingerprint(n: int, seed: int) -> str:
    digest = hashlib.sha256()
    for path in (Path(__file__), SEED_TEXT, SITE_TOML):
        digest.update(path.read_bytes())
    return f"n={n} seed={seed} sha256={digest.hexdigest()}\n"


def generate(n: int, out_dir: Path | str, seed: int = SEED, reuse: bool = False) -> Corpus:
    """Write a site root with `n` items into `out_dir` (replacing a corpus there).

    With `reuse`, a finished corpus made by the same code, seed text, site.toml,
    n and seed is left as it is. Refuses a non-empty folder that is not a corpus.
    """
    if not 0 <= n <= MAX_ITEMS:
        raise ValueError(f"N must be between 0 and {MAX_ITEMS}")
    root = Path(out_dir)
    fingerprint = _fingerprint(n, seed)
    marker = root / MARKER
    if root.exists() and any(root.iterdir()):
        if not marker.is_file() and not (root / "site.toml").is_file():
            raise FileExistsError(f"{root} is not empty and is not a benchmark corpus")
        if reuse and marker.is_file() and marker.read_text(encoding="utf-8").startswith(fingerprint):
            counts = json.loads(marker.read_text(encoding="utf-8").split("\n", 1)[1])
            return Corpus(root, n, seed, states=counts["states"], tables=counts["tables"],
                          files=counts["files"], reused=True)
        marker.unlink(missing_ok=True)
        shutil.rmtree(root / "content", ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)

    site_text = SITE_TOML.read_text(encoding="utf-8")
    config = tomllib.loads(site_text)
    rng = random.Random(seed)
    writer = _Writer(rng, config, _sentences(SEED_TEXT.read_text(encoding="utf-8")))
    corpus = Corpus(root, n, seed, states={s: 0 for s in _STATE_NAMES})

    (root / "site.toml").write_text(
        f"# Benchmark corpus of {n} items (bench/corpus.py, seed {seed}); sections and categories\n"
        f"# are the repository's own site.toml, copied below.\n\n" + site_text, encoding="utf-8")
    content = root / "content"
    for folder in writer.folders + ["pages"]:
        (content / folder).mkdir(parents=True, exist_ok=True)
    pages = rng.__class__(seed + 1)       # the fixed pages do not shift the items' stream
    writer_pages = _Writer(pages, config, writer.sentences)
    (content / "pages" / "guide.md").write_text(
        writer_pages.page("政府信息公开指南", "本局主动公开和依申请公开政府信息的范围、方式和程序。"), encoding="utf-8")
    (content / "pages" / "apply.md").write_text(
        writer_pages.page("依申请公开", "申请获取政府信息的方式、受理机构和办理时限。"), encoding="utf-8")
    corpus.files = 3
    for i in range(n):
        folder, name, text, table, state = writer.item(i)
        (content / folder / name).write_text(text, encoding="utf-8")
        corpus.files += 1
        corpus.tables += table
        corpus.states[state] += 1
    marker.write_text(fingerprint + json.dumps({"states": corpus.states, "tables": corpus.tables,
                                                "files": corpus.files}) + "\n", encoding="utf-8")
    return corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic benchmark corpus (a site root).")
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("out_dir", type=Path, help="folder to write (a previous corpus there is replaced)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reuse", action="store_true", help="keep an identical corpus that is already there")
    args = parser.parse_args(argv)
    try:
        corpus = generate(args.n, args.out_dir, args.seed, reuse=args.reuse)
    except (ValueError, FileExistsError) as exc:
        print(f"corpus.py: {exc}", file=sys.stderr)
        return 2
    states = ", ".join(f"{k} {v}" for k, v in corpus.states.items())
    print(f"{'reused' if corpus.reused else 'wrote'} {corpus.root}: {corpus.n} items "
          f"({corpus.tables} with a table; {states}); build it with --now {corpus.now}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
