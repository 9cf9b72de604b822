"""generator/config.py: site.toml read once and validated whole — unknown keys and bad values with their
line, every problem at once — and the derived catalogue: inherited audience and period, pinyin slugs."""
import pytest

from generator.config import load_config
from generator.errors import ConfigError

SITE = """\
[site]
title = "测试局 政府信息公开"
base_url = "https://zwgk.example.gov.cn/zj"
org_code = "014000184"
publisher = "测试局"

[[sections]]
folder = "fagui"
department = "法规处"
"""


def write(tmp_path, text):
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return tmp_path


def category(code, name, **extra):
    lines = [f'[[categories]]', f'code = "{code}"', f'name = "{name}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def line_of(text, needle):
    """The 1-based line of the first `needle` in `text`."""
    return text[:text.index(needle)].count("\n") + 1


def problems_of(root):
    with pytest.raises(ConfigError) as raised:
        load_config(root)
    return raised.value.problems


def test_unknown_keys_are_errors_with_their_lines_all_at_once(tmp_path):
    text = SITE.replace('publisher = "测试局"\n', 'publisher = "测试局"\nauthor = "某人"\n')
    text += category("02", "行政权力运行公开", slug="quanli", colour="red")
    found = {(p.line, p.field) for p in problems_of(write(tmp_path, text))}
    assert found == {(6, "site.author"), (15, "categories[0].colour")}
    assert (line_of(text, "author"), line_of(text, "colour")) == (6, 15)


def test_a_bad_value_names_its_line_and_field(tmp_path):
    text = SITE.replace('base_url = "https://zwgk.example.gov.cn/zj"', 'base_url = "zwgk.example.gov.cn"')
    text += category("02", "行政权力运行公开")
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.file, problem.line, problem.field) == ("site.toml", 3, "site.base_url")


def test_a_category_without_its_parent_is_an_error_at_its_code(tmp_path):
    text = SITE + category("02", "行政权力运行公开") + category("0301", "行政许可")
    [problem] = problems_of(write(tmp_path, text))
    assert problem.line == line_of(text, 'code = "0301"') == 14
    assert problem.field == "categories[1].code"
    assert "“03”" in problem.message


def test_audience_and_period_come_from_the_nearest_ancestor_that_says(tmp_path):
    text = SITE + "".join([
        category("01", "内部事务", slug="neiwu", audience="internal", period="timely"),
        category("0101", "会议纪要", slug="jiyao"),                          # both inherited from 01
        category("0102", "对外公告", slug="gonggao", audience="public"),     # own audience, period from 01
        category("010201", "招标公告", slug="zhaobiao"),                     # audience from 0102, not 01
        category("02", "行政权力运行公开", slug="quanli"),                   # nothing said: the defaults
    ])
    config = load_config(write(tmp_path, text))
    said = {code: (c.audience, c.period) for code, c in config.categories.items()}
    assert said == {"01": ("internal", "timely"), "0101": ("internal", "timely"),
                    "0102": ("public", "timely"), "010201": ("public", "timely"),
                    "02": ("public", "long_term")}
    assert config.categories["0102"].children == ("010201",) and config.categories["010201"].parent == "0102"
    assert [c.code for c in config.lineage("010201")] == ["01", "0102", "010201"]


def test_a_slug_not_given_is_the_pinyin_of_the_name_and_paths_nest(tmp_path):
    text = SITE + category("02", "行政权力运行公开", slug="quanli") + category("0204", "行政许可") \
        + category("0205", "2026年 处罚·结果")
    config = load_config(write(tmp_path, text))
    assert config.categories["0204"].slug == "xingzhengxuke"
    assert config.categories["0204"].path == "quanli/xingzhengxuke"
    assert config.categories["0205"].slug == "2026nian-chufa-jieguo"      # anything else becomes one hyphen
    assert config.base_url == "https://zwgk.example.gov.cn/zj/"           # always ends with a slash
    assert config.by_name["行政许可"] == "0204"


def test_two_categories_on_one_url_are_an_error(tmp_path):
    text = SITE + category("02", "行政权力运行公开", slug="quanli") + category("0204", "行政许可", slug="xuke") \
        + category("0205", "许可公示", slug="xuke")
    [problem] = problems_of(write(tmp_path, text))
    assert problem.field == "categories[2].slug" and "quanli/xuke" in problem.message
