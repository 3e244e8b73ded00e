"""Webhook bodies (one template per format) and the HTTP POST that sends them.

``generic`` posts ``{"event": ..., "alert": {...}}``, the whole alert; the chat
formats post one message rendered from the same text: WeCom and DingTalk
group robots (markdown), Feishu/Lark bots (text), Slack incoming webhooks
(mrkdwn). A hook's ``secret`` signs DingTalk (加签: ``timestamp`` and ``sign``
in the URL) and Feishu (``timestamp`` and ``sign`` in the body) messages.
The chat platforms answer HTTP 200 with an error code in the body (bad token,
bad signature, rate limit): a non-zero code counts as a failure and is retried
like a 5xx, so a misconfigured robot loses nothing either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

from yuqing.alerts.grading import GRADE_NAMES, GRADE_SYMBOLS

__all__ = ["render", "request_for", "post", "Answer", "TEMPLATES"]

_EVENT_WORDS = {"created": "新预警", "updated": "预警更新"}


def _lines(event: str, alert: dict[str, Any], markdown: bool) -> list[str]:
    grade = alert["grade"]
    rule = alert["rule"]
    first = alert["first_document"]
    latest = alert["samples"][-1]

    def link(doc: dict[str, Any]) -> str:
        title = doc.get("title") or doc.get("url")
        return f"[{title}]({doc['url']})" if markdown else f"{title} {doc['url']}"

    head = f"【舆情预警 {GRADE_SYMBOLS[grade]}级 {GRADE_NAMES[grade]}】{rule['name']}"
    lines = [f"**{head}**" if markdown else head,
             f"{_EVENT_WORDS.get(event, event)} · 累计 {alert['count']} 篇 · 专题 {rule.get('topic') or '-'}",
             f"首发: {link(first)}",
             f"来源: {first.get('source') or '-'} · 发布 {first.get('published_at') or '未知'} · 发现 {alert['detected_at']}"]
    if alert["count"] > 1:
        lines.append(f"最新: {link(latest)}")
    lines.append(f"分级依据: {', '.join(alert['grade_reasons'])}")
    lines.append(f"预警编号 {alert['id']} · 处置: yuqing alerts ack {alert['id']}")
    return lines


def _generic(event: str, alert: dict[str, Any]) -> dict[str, Any]:
    return {"event": event, "alert": alert}


def _wecom(event: str, alert: dict[str, Any]) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(_lines(event, alert, True))}}


def _dingtalk(event: str, alert: dict[str, Any]) -> dict[str, Any]:
    # DingTalk markdown needs a blank line between lines to break them.
    return {"msgtype": "markdown", "markdown": {
        "title": f"舆情预警 {GRADE_SYMBOLS[alert['grade']]}级 {alert['rule']['name']}",
        "text": "\n\n".join(_lines(event, alert, True))}}


def _feishu(event: str, alert: dict[str, Any]) -> dict[str, Any]:
    return {"msg_type": "text", "content": {"text": "\n".join(_lines(event, alert, False))}}


def _slack(event: str, alert: dict[str, Any]) -> dict[str, Any]:
    lines = _lines(event, alert, False)
    lines[0] = f"*{lines[0]}*"
    return {"text": "\n".join(lines)}


TEMPLATES: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "generic": _generic, "wecom": _wecom, "dingtalk": _dingtalk, "feishu": _feishu, "slack": _slack,
}


def render(fmt: str, event: str, alert: dict[str, Any]) -> bytes:
    return json.dumps(TEMPLATES[fmt](event, alert), ensure_ascii=False).encode("utf-8")


def request_for(hook, event: str, alert: dict[str, Any], now: float | None = None) -> tuple[str, bytes]:
    """(URL, body) for ``hook`` (a :class:`yuqing.alerts.config.Webhook`), signed if it has a secret."""
    body = TEMPLATES[hook.format](event, alert)
    url = hook.url
    if hook.secret and hook.format == "dingtalk":
        stamp = str(int((time.time() if now is None else now) * 1000))
        digest = hmac.new(hook.secret.encode(), f"{stamp}\n{hook.secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url += f"{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"
    elif hook.secret and hook.format == "feishu":
        stamp = str(int(time.time() if now is None else now))
        digest = hmac.new(f"{stamp}\n{hook.secret}".encode(), b"", hashlib.sha256).digest()
        body = {"timestamp": stamp, "sign": base64.b64encode(digest).decode(), **body}
    return url, json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    ok: bool
    retry: bool
    """Worth trying again (network, 5xx, 408/429, chat error code); else the
    hook refused this body for good."""
    detail: str


def post(url: str, body: bytes, fmt: str, timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "yuqing-alerts/1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, text = answer.status, answer.read(4096)
    except urllib.error.HTTPError as exc:
        status = exc.code
        retry = status >= 500 or status in (408, 429)
        return Answer(False, retry, f"HTTP {status}")
    except (OSError, ValueError) as exc:  # refused, reset, timeout, DNS
        return Answer(False, True, f"{type(exc).__name__}: {exc}")
    if not 200 <= status < 300:
        return Answer(False, True, f"HTTP {status}")
    if fmt in ("wecom", "dingtalk", "feishu"):
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        code = data.get("errcode", data.get("code", 0)) if isinstance(data, dict) else 0
        if code:
            return Answer(False, True, f"HTTP {status}, error code {code}: {data.get('errmsg') or data.get('msg')}")
    return Answer(True, False, f"HTTP {status}")
