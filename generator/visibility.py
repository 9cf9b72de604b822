"""The visibility rule: one pure function decides, for an item, a moment and a target.

The clock is passed in (`now`), never read here (Hugo's `--clock`, not
Pelican's `datetime.now()`). The answer is a value with a reason, so the
preview can badge what the real build drops (MkDocs' InclusionLevel).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Optional

from .model import Item

TARGETS = ("website", "intranet", "kiosk")

# Which audiences a target admits, and the channel (公开载体) it publishes on.
AUDIENCES = {"website": ("public",), "intranet": ("public", "internal"), "kiosk": ("public",)}
CHANNEL = {"website": "website", "intranet": "intranet", "kiosk": "touchscreen"}

# Reasons, in the order the rule checks them.
REASONS = ("draft", "proposed", "withdrawn", "not_reviewed", "future", "expired", "abolished",
           "internal", "channel", "privacy", "invalid")

REASON_LABELS = {  # as the preview badges them
    "draft": "草稿", "proposed": "待审核", "withdrawn": "已撤回", "not_reviewed": "未审核",
    "future": "定时发布", "expired": "已失效", "abolished": "已废止", "internal": "内部",
    "channel": "不在本载体公开", "privacy": "隐私检查未通过", "invalid": "内容有误",
}


@dataclass(frozen=True)
class Visibility:
    reason: Optional[str] = None        # None: published
    until: Optional[datetime] = None    # for "future": the moment it appears

    @property
    def published(self) -> bool:
        return self.reason is None


PUBLISHED = Visibility()


def decide(item: Item, now: datetime, target: str) -> Visibility:
    """Is `item` published in `target` at `now`? If not, why (and until when)."""
    if item.status != "approved":
        return Visibility(item.status)            # draft | proposed | withdrawn
    if not item.reviewer or not item.index_no or item.pub_date is None:
        return Visibility("not_reviewed")
    if now < item.pub_date:
        return Visibility("future", item.pub_date)
    if item.expiry_date is not None and now >= item.expiry_date:
        return Visibility("expired")
    if item.abolished:
        return Visibility("abolished")
    if item.audience not in AUDIENCES[target]:
        return Visibility("internal")
    if CHANNEL[target] not in item.channels:
        return Visibility("channel")
    if item.privacy_hits:
        return Visibility("privacy")
    return PUBLISHED


def was_published(item: Item, moment: datetime, target: Optional[str]) -> bool:
    """Had `item` gone out in `target` by `moment`, whatever became of it afterwards?

    The reports' question (公开时限, 年度报告): an item published in March and expired in
    June was still published in March. It is `decide` asked at the item's own `pub_date`,
    the moment it went out, so that the same rule (review, audience, channel, privacy)
    says what counts as published. `abolished` is set aside there: it is a flag without a
    date, the end of a publication, never a reason it did not happen. `target` None asks
    about every target: published is published, whichever channel (公开载体) carried it.
    """
    if item.pub_date is None or moment < item.pub_date:
        return False
    released = replace(item, abolished=False) if item.abolished else item
    return any(decide(released, item.pub_date, t).published for t in (TARGETS if target is None else (target,)))


def next_change(items: Iterable[Item], now: datetime, target: str) -> Optional[datetime]:
    """The earliest moment after `now` at which some item appears or disappears in `target`.

    Candidate moments are the items' own future dates; a candidate counts only
    if the rule's answer really flips there (an internal item coming due does
    not change the website).
    """
    best: Optional[datetime] = None
    for item in items:
        published_now = decide(item, now, target).published
        for moment in sorted(m for m in (item.pub_date, item.expiry_date) if m is not None and m > now):
            if best is not None and moment >= best:
                break
            if decide(item, moment, target).published != published_now:
                best = moment
                break
    return best
