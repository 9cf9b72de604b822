"""The touchscreens in the service hall (电子触摸屏): public items on the touchscreen channel, opened
from file:// with no network and no keyboard. Attachments are not handed out (images stay, the text may
show them); the record says where to get them instead. Every page is made safe for file:// as it is
rendered. The offline search index and the on-screen keyboard come from ../kiosk.py."""
from __future__ import annotations

import posixpath
from functools import partial

from .. import kiosk
from ..catalogue import page_url
from ..visibility import decide
from .base import Target

KEPT_KINDS = {"图片"}     # attachments a kiosk keeps: the body may show them


class Kiosk(Target):
    name = "kiosk"
    explicit_index = True
    writes = ("search",)

    def record_context(self, record, url: str) -> dict:
        """`elsewhere`: where to get the attachments; `expires`: the item's expiry_date as kiosk.js reads
        it (the item page hides its content from that moment on the kiosk's own clock), "" for none."""
        config = self.plan.config
        expires = kiosk.expiry_moment(getattr(record, "expiry_date", None), config)
        if not record.attachments:
            return {"elsewhere": None, "expires": expires}
        on_website = decide(record, self.plan.now, "website").published if hasattr(record, "index_no") else True
        return {"elsewhere": kiosk.elsewhere_for(config, url, on_website),   # fixed pages are on every target
                "expires": expires}

    def copies(self, attachment) -> bool:
        return attachment.kind in KEPT_KINDS

    def page_filter(self, catalogue):
        absent = frozenset(posixpath.join(url, a.name)
                           for record, url in [(i, catalogue.url(i)) for i in catalogue.items] +
                           [(p, page_url(p)) for p in catalogue.pages]
                           for a in record.attachments if not self.copies(a))
        return partial(kiosk.offline_links, absent=absent)

    def extra_pages(self, renderer, output, plan) -> None:
        kiosk.contribute(renderer, output, plan)
