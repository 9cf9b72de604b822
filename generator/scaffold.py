"""`new`: scaffold a draft item with the next free 索引号 of the year.

The serial is taken from every file of content/ — valid or not, any status —
because an 索引号 is never reused once it has been written down anywhere.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .config import Config, suggest_category
from .errors import ConfigError, Problem

_TEMPLATES = {   # a first outline of the body, by the category's top-level code
    "02": "## 基本情况\n\n（当事人或申请人、事项名称）\n\n## 依据\n\n（法律法规依据）\n\n## 结果\n\n（决定内容、时间）\n",
    "03": "## 内容\n\n（公开的信息内容）\n\n## 联系方式\n\n（承办处室、电话）\n",
    "04": "## 内容\n\n（事项、金额或人员、结果）\n",
}
_DEFAULT = "## 内容\n\n（正文）\n"


def next_index_no(config: Config, year: int) -> str:
    pattern = re.compile(re.escape(config.site.org_code) + rf"/{year}-(\d{{5}})")
    highest = 0
    for path in config.content_dir.rglob("*.md"):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for match in pattern.finditer(text):
            highest = max(highest, int(match.group(1)))
    if highest >= 99999:
        raise ConfigError([Problem("content", 0, "index_no", f"{year} 年的索引号已用完。", "")])
    return f"{config.site.org_code}/{year}-{highest + 1:05d}"


def new_item(config: Config, section: str, category: str, title: str, today: date) -> Path:
    problems = []
    if section not in config.sections:
        folders = "、".join(config.sections)
        problems.append(Problem("site.toml", 0, "SECTION", f"没有名为“{section}”的科室文件夹。", f"可选：{folders}。"))
    code = category if category in config.categories else config.by_name.get(category)
    if code is None or not config.categories[code].is_leaf:
        near = suggest_category(config, category)
        hint = f"是不是“{near}”？" if near else "请使用 site.toml 中叶子分类的代码。"
        what = "不是最末一级分类" if code else "未知"
        problems.append(Problem("site.toml", 0, "--category", f"目录分类“{category}”{what}。", hint))
    if not title.strip():
        problems.append(Problem("", 0, "--title", "标题不能为空。", ""))
    if problems:
        raise ConfigError(problems)
    cat = config.categories[code]
    index_no = next_index_no(config, today.year)
    serial = index_no.split("/", 1)[1]
    path = config.content_dir / section / f"{cat.slug}-{serial}.md"
    if path.exists():
        raise ConfigError([Problem(path.relative_to(config.root).as_posix(), 0, "", "文件已存在。", "")])
    quoted = title.strip().replace("\\", "\\\\").replace('"', '\\"')
    text = (
        "---\n"
        f'title: "{quoted}"\n'
        f'category: "{code}"              # {cat.name}\n'
        f'index_no: "{index_no}"\n'
        "status: draft                    # draft → proposed → approved\n"
        "# reviewer: 审核人（分管局领导）\n"
        "# pub_date: 发布日期，如 2026-06-01\n"
        "# doc_no: 文号\n"
        f"formed_date: {today.isoformat()}        # 信息形成/变更日期\n"
        f"audience: {cat.audience}\n"
        f"period: {cat.period}\n"
        "summary: \n"
        "keywords: []\n"
        "---\n\n"
        + _TEMPLATES.get(code[:2], _DEFAULT)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
