"""Per-request page context: language, translator, URL state helpers, the signed-in user."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from reslog.web.i18n import COOKIE, LANGS, Translator

NAV = (("map", "/map"), ("flows", "/flows"), ("exposure", "/exposure"), ("criticality", "/criticality"),
       ("events", "/events"), ("shock", "/shock"), ("provenance", "/provenance"),
       ("suppliers", "/suppliers"), ("sites", "/sites"), ("scenarios", "/scenarios"))


def request_lang(request: Request, default: str = "en") -> str:
    """``lang`` query parameter, else the language cookie, else ``default``."""
    q = request.query_params.get("lang")
    if q in LANGS:
        return q  # type: ignore[return-value]
    c = request.cookies.get(COOKIE)
    if c in LANGS:
        return c  # type: ignore[return-value]
    return default if default in LANGS else "en"


def url_with(request: Request, path: str | None = None, **changes: Any) -> str:
    """The current URL (or ``path``) with query parameters changed (``None`` removes one)."""
    params = dict(request.query_params) if path is None else {}
    for k, v in changes.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = str(v)
    q = urlencode(params)
    return (path or request.url.path) + (f"?{q}" if q else "")


def figure_json(fig: Any) -> str:
    """A plotly figure as JSON safe inside ``<script type="application/json">``."""
    return fig.to_json().replace("</", "<\\/")


@dataclass
class PageContext:
    """Everything every template uses."""

    request: Request
    view: str
    lang: str
    t: Translator
    principal: Any = None
    csrf: str = ""
    ledger_ids: list[int] = field(default_factory=list)

    @property
    def user(self) -> str | None:
        p = self.principal
        if p is None or getattr(p, "user_id", None) is None:
            return None
        return getattr(p, "username", None) or f"user {p.user_id}"

    def nav(self) -> list[tuple[str, str, bool]]:
        return [(self.t(f"nav.{v}"), f"{href}?lang={self.lang}", v == self.view) for v, href in NAV]

    def switch_url(self) -> str:
        return url_with(self.request, lang="ja" if self.lang == "en" else "en")

    def url(self, path: str | None = None, **changes: Any) -> str:
        return url_with(self.request, path, **changes)

    def download_url(self, table: str) -> str:
        return url_with(self.request, download=table)

    def provenance_url(self) -> str:
        ids = ",".join(str(i) for i in sorted(self.ledger_ids))
        return f"/provenance?lang={self.lang}" + (f"&ids={ids}" if ids else "")

    def as_dict(self) -> dict[str, Any]:
        return {"request": self.request, "ctx": self, "t": self.t, "lang": self.lang,
                "json": json.dumps}
