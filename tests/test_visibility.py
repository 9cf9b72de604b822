"""The visibility rule as a table (Hugo's TestShouldBuild): every reason, every boundary."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from generator.model import Item, PrivacyHit
from generator.visibility import decide, next_change

TZ = ZoneInfo("Asia/Shanghai")
PUB = datetime(2026, 12, 1, tzinfo=TZ)            # a date-only pub_date: 00:00 Beijing
EXP = datetime(2027, 1, 1, 9, 30, tzinfo=TZ)
SECOND = timedelta(seconds=1)


def item(**overrides) -> Item:
    fields = dict(file="content/a/x.md", section="a", title="t", category="0204", status="approved",
                  review="leader", audience="public", period="timely",
                  channels=("website", "touchscreen", "intranet"), publisher="p", department="d",
                  slug="2026-00001", body="", index_no="014000184/2026-00001", reviewer="王建春",
                  pub_date=PUB, expiry_date=None)
    fields.update(overrides)
    return Item(**fields)


CASES = [
    # (name, item overrides, now, target, reason)
    ("published", {}, PUB, "website", None),
    ("one second before pub_date", {}, PUB - SECOND, "website", "future"),
    ("exactly at pub_date", {}, PUB, "kiosk", None),
    ("draft", {"status": "draft"}, PUB, "website", "draft"),
    ("proposed", {"status": "proposed"}, PUB, "website", "proposed"),
    ("withdrawn", {"status": "withdrawn"}, PUB, "intranet", "withdrawn"),
    ("no reviewer", {"reviewer": None}, PUB, "website", "not_reviewed"),
    ("no index_no", {"index_no": None}, PUB, "website", "not_reviewed"),
    ("one second before expiry", {"expiry_date": EXP}, EXP - SECOND, "website", None),
    ("exactly at expiry", {"expiry_date": EXP}, EXP, "website", "expired"),
    ("one second after expiry", {"expiry_date": EXP}, EXP + SECOND, "website", "expired"),
    ("abolished", {"abolished": True}, PUB, "website", "abolished"),
    ("internal on website", {"audience": "internal", "channels": ("intranet",)}, PUB, "website", "internal"),
    ("internal on kiosk", {"audience": "internal", "channels": ("intranet",)}, PUB, "kiosk", "internal"),
    ("internal on intranet", {"audience": "internal", "channels": ("intranet",)}, PUB, "intranet", None),
    ("website-only on kiosk", {"channels": ("website",)}, PUB, "kiosk", "channel"),
    ("website-only on intranet", {"channels": ("website",)}, PUB, "intranet", "channel"),
    ("touchscreen-only on website", {"channels": ("touchscreen",)}, PUB, "website", "channel"),
    ("privacy hit", {"privacy_hits": (PrivacyHit(3, "手机号", "138****8000"),)}, PUB, "website", "privacy"),
    # an offset datetime is that instant: 00:00Z is 08:00 Beijing
    ("Z instant, before", {"pub_date": datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))},
     datetime(2026, 12, 1, 7, 59, 59, tzinfo=TZ), "website", "future"),
    ("Z instant, at", {"pub_date": datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))},
     datetime(2026, 12, 1, 8, 0, 0, tzinfo=TZ), "website", None),
    # the first failing condition in SPEC's order names the reason
    ("draft and future", {"status": "draft"}, PUB - SECOND, "website", "draft"),
    ("future and internal", {"audience": "internal"}, PUB - SECOND, "website", "future"),
    ("expired and abolished", {"expiry_date": EXP, "abolished": True}, EXP, "website", "expired"),
]


@pytest.mark.parametrize("name,overrides,now,target,reason", CASES, ids=[c[0] for c in CASES])
def test_decide(name, overrides, now, target, reason):
    assert decide(item(**overrides), now, target).reason == reason


def test_future_reports_the_moment_it_appears():
    decision = decide(item(), PUB - SECOND, "website")
    assert decision.until == PUB
    assert decide(item(), PUB, "website").until is None


def test_next_change_is_the_earliest_flip():
    items = [item(file="a", pub_date=PUB),                                   # appears at PUB
             item(file="b", pub_date=PUB - timedelta(days=9), expiry_date=EXP),  # disappears at EXP
             item(file="c", status="draft", pub_date=PUB - timedelta(hours=1))]  # never changes
    now = PUB - timedelta(days=1)
    assert next_change(items, now, "website") == PUB
    assert next_change(items, PUB, "website") == EXP
    assert next_change(items, EXP, "website") is None


def test_next_change_ignores_items_the_target_never_shows():
    internal = item(audience="internal", channels=("intranet",))
    now = PUB - SECOND
    assert next_change([internal], now, "website") is None
    assert next_change([internal], now, "intranet") == PUB


def test_next_change_skips_a_pub_date_after_expiry():
    dead = item(pub_date=PUB, expiry_date=PUB - timedelta(days=1))   # would never be shown
    assert next_change([dead], PUB - timedelta(days=3), "website") is None
