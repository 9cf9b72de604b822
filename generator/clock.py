"""The build's moment: `--now`, else the machine's clock — the one place the clock is read
(the visibility rule takes the moment as an argument, Hugo's `--clock`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

from .errors import UsageError


def parse_now(text: Optional[str], tz: ZoneInfo) -> datetime:
    """`--now` as an aware moment (a bare date is 00:00 in the site's zone); None: now."""
    if text is None:
        return datetime.now(tz)
    try:
        if len(text.strip()) == 10:
            moment = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--now 的值“{text}”不是 ISO 8601 时刻，例如 2026-11-26T08:00:00+08:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
