#!/bin/sh
# zwgk-wake-next — 发布之后，在构建报告的 next_change（下一个条目到期发布或失效的时刻）再唤醒一次发布服务。
# 安装：install -m 755 docs/examples/zwgk-wake-next.sh /usr/local/bin/zwgk-wake-next
# 用法：zwgk-wake-next 构建报告.json [服务名]      （由 zwgk-publish.service 的 ExecStartPost 以 root 运行）
# 它用 systemd-run 建一个一次性的定时器 zwgk-publish-next.timer（systemctl list-timers 可见），
# 到点时启动服务；每次发布后重新安排（旧的先停掉）。设置 ZWGK_DRY_RUN=1 时只显示将要安排的时刻。
set -eu
report=${1:?用法：zwgk-wake-next 构建报告.json [服务名]}
unit=${2:-zwgk-publish.service}
next=$(sed -n 's/^ *"next_change": *"\([^"]*\)".*/\1/p' "$report" | head -n 1)
if [ -z "${ZWGK_DRY_RUN:-}" ]; then
  systemctl stop zwgk-publish-next.timer 2>/dev/null || true
fi
if [ -z "$next" ]; then
  echo "构建报告里没有 next_change：没有待到期的条目，只靠每小时的定时器。"
  exit 0
fi
when=$(date -d "$next" '+%Y-%m-%d %H:%M:%S')
if [ -n "${ZWGK_DRY_RUN:-}" ]; then
  echo "systemd-run --unit=zwgk-publish-next --on-calendar=$when systemctl start $unit"
  exit 0
fi
systemd-run --quiet --collect --unit=zwgk-publish-next --on-calendar="$when" systemctl start "$unit"
echo "已安排在 $when（$next）再次发布。"
