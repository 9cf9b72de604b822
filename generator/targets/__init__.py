"""The three outputs, one `Target` each (see base.py for what a target may add):

    website   public items, feeds, Pagefind search        website.py
    intranet  public + internal items, compliance dashboard intranet.py
    kiosk     public items for the touchscreens, offline    kiosk.py
"""
from __future__ import annotations

from .base import Target
from .intranet import Intranet
from .kiosk import Kiosk
from .website import Website

TARGETS: dict[str, type[Target]] = {t.name: t for t in (Website, Intranet, Kiosk)}


def for_plan(plan) -> Target:
    """The target of a plan, for one build (or one preview rebuild)."""
    return TARGETS[plan.target](plan)
