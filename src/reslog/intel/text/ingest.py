"""Readers for articles: JSON lines, RSS 2.0 / Atom feeds, HTML pages (boilerplate stripped).

Every reader returns :class:`Article` objects plus a list of :class:`Problem` records. Bad
input never raises in the middle of a file: a malformed JSON line, a line in the wrong
encoding, a binary blob, an empty or a 10 MB text is *reported* with its line number and the
other lines are still read. Only a file that cannot be opened at all raises
:class:`reslog.errors.InputError`.

Text cleaning (:func:`clean_text`)
----------------------------------
1. Unicode NFKC normalisation (full-width ASCII → ASCII, half-width kana → full-width), so
   gazetteer matching sees one spelling.
2. Control characters other than newline and tab are removed; runs of spaces collapse.
3. A text whose share of printable characters is below 0.85 before cleaning is treated as
   binary junk and emptied (with a warning).
4. Texts longer than :data:`MAX_CHARS` characters are cut (with a warning): news articles are
   far shorter, and a cap bounds the time spent on a pathological input.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from reslog.errors import InputError, NetworkUnavailable

MAX_CHARS = 20_000
"""Longest text (characters) processed per article; longer texts are cut with a warning."""

FALLBACK_ENCODINGS = ("cp932", "euc_jp", "cp1252")
"""Encodings tried, in order, for a JSON line that is not valid UTF-8."""


@dataclass
class Article:
    """One article, headline or social-media post.

    Attributes
    ----------
    id : identifier, unique within an input file.
    title : headline (may be empty for posts).
    text : body text (may be empty for headlines).
    lang : ``"en"``, ``"ja"`` or ``None`` (detected later).
    published : publication date/time as ISO 8601 text, or ``None``.
    url : where it was published, or ``None``.
    kind : ``"article"``, ``"headline"`` or ``"post"``.
    line : 1-based line (JSON lines) or item number (feeds) in the source file.
    extra : any other keys of the input record (kept, not used by extraction).
    """

    id: str
    title: str = ""
    text: str = ""
    lang: str | None = None
    published: str | None = None
    url: str | None = None
    kind: str = "article"
    line: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A reported defect of the input: ``level`` is ``"error"`` (line skipped) or ``"warning"``."""

    file: str
    line: int | None
    field: str | None
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{self.level}: {', '.join(where)}: {self.message}"


_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff\ufffd]")
_SPACES = re.compile(r"[ \t\u3000]+")
_NEWLINES = re.compile(r"\n\s*\n+")


def calc_printable_share(text: str, limit: int = 20_000) -> float:
    """Share of printable characters (letters, digits, punctuation, spaces) in ``text[:limit]``."""
    s = text[:limit]
    if not s:
        return 1.0
    bad = sum(1 for ch in s if (not ch.isprintable() and ch not in "\n\r\t") or ch == "\ufffd")
    return 1.0 - bad / len(s)


def clean_text(text: str, max_chars: int = MAX_CHARS) -> tuple[str, list[str]]:
    """Normalise one text (see module docstring); return it and the warnings raised.

    Parameters
    ----------
    text : str
        Raw text.
    max_chars : int
        Cap on the returned length (characters).
    """
    warnings: list[str] = []
    if not text:
        return "", warnings
    if len(text) > max_chars:
        warnings.append(f"text of {len(text):,} characters cut to the first {max_chars:,}")
        text = text[:max_chars]
    share = calc_printable_share(text)
    if share < 0.85:
        warnings.append(f"text looks like binary data ({share:.0%} printable); ignored")
        return "", warnings
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CTRL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n\n", text)
    return text.strip(), warnings


def _decode_line(raw: bytes, first: bool) -> tuple[str | None, str | None]:
    """Decode one line: UTF-8, else the first fallback encoding giving valid JSON."""
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for enc in FALLBACK_ENCODINGS:
        try:
            s = raw.decode(enc)
            json.loads(s)
            return s, enc
        except (UnicodeDecodeError, ValueError):
            continue
    return None, None


def _as_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return None


def parse_record(rec: dict, file: str, line: int | None, problems: list[Problem]) -> Article | None:
    """Turn one decoded JSON object into an :class:`Article`, reporting defects to ``problems``."""
    rid = rec.get("id")
    if isinstance(rid, (int, float)) and not isinstance(rid, bool):
        rid = str(int(rid)) if float(rid).is_integer() else str(rid)
    if not isinstance(rid, str) or not rid.strip():
        problems.append(Problem(file, line, "id", "missing or empty 'id'; line skipped"))
        return None
    rid = rid.strip()
    out: dict[str, str] = {}
    for key in ("title", "text"):
        val = _as_text(rec.get(key))
        if val is None:
            problems.append(Problem(file, line, key, f"'{key}' is a {type(rec.get(key)).__name__}, "
                                    "not a string; treated as empty", "warning"))
            val = ""
        cleaned, warns = clean_text(val)
        for w in warns:
            problems.append(Problem(file, line, key, w, "warning"))
        out[key] = cleaned
    if not out["title"] and not out["text"]:
        problems.append(Problem(file, line, "text", "empty title and text; reported as 'none'",
                                "warning"))
    lang = rec.get("lang")
    published = rec.get("published")
    url = rec.get("url")
    kind = rec.get("kind") if isinstance(rec.get("kind"), str) else "article"
    known = {"id", "title", "text", "lang", "published", "url", "kind"}
    return Article(
        id=rid, title=out["title"], text=out["text"],
        lang=lang if isinstance(lang, str) and lang else None,
        published=str(published) if isinstance(published, (str, int)) and str(published) else None,
        url=url if isinstance(url, str) and url else None,
        kind=kind, line=line, extra={k: v for k, v in rec.items() if k not in known},
    )


def iter_jsonl(path: Path, problems: list[Problem]) -> Iterator[Article]:
    """Yield the articles of a JSON-lines file; defects go to ``problems`` (never raises per line).

    Parameters
    ----------
    path : Path
        JSON lines, one object per line with ``id``, ``title``, ``text`` and optionally
        ``lang``, ``published``, ``url``, ``kind``.
    problems : list of Problem
        Receives one record per defect, with the 1-based line number.

    Raises
    ------
    InputError
        Only when the file cannot be opened.
    """
    file = str(path)
    try:
        fh = open(path, "rb")
    except OSError as e:
        raise InputError(path, f"cannot open: {e.strerror or e}") from e
    seen: set[str] = set()
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            s, enc = _decode_line(raw, lineno == 1)
            if s is None:
                share = calc_printable_share(raw[:4000].decode("latin-1"))
                what = "binary data" if share < 0.85 else "text in an unknown encoding"
                problems.append(Problem(file, lineno, None, f"cannot decode the line ({what}; tried "
                                        f"utf-8, {', '.join(FALLBACK_ENCODINGS)}); line skipped"))
                continue
            if enc is not None:
                problems.append(Problem(file, lineno, None, f"line is not UTF-8; read as {enc}",
                                        "warning"))
            try:
                rec = json.loads(s)
            except ValueError as e:
                problems.append(Problem(file, lineno, None, f"malformed JSON ({e}); line skipped"))
                continue
            if not isinstance(rec, dict):
                problems.append(Problem(file, lineno, None, f"a JSON {type(rec).__name__}, not an "
                                        "object; line skipped"))
                continue
            art = parse_record(rec, file, lineno, problems)
            if art is None:
                continue
            if art.id in seen:
                problems.append(Problem(file, lineno, "id", f"duplicate id {art.id!r}; line skipped"))
                continue
            seen.add(art.id)
            yield art


def read_jsonl(path: Path) -> tuple[list[Article], list[Problem]]:
    """Read a whole JSON-lines file: ``(articles, problems)``. See :func:`iter_jsonl`."""
    problems: list[Problem] = []
    arts = list(iter_jsonl(Path(path), problems))
    return arts, problems


# ----------------------------------------------------------------------------- HTML

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript",
              "iframe", "svg", "button", "select", "figure", "template"}
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "li", "blockquote", "td", "div", "section",
               "article", "main", "br", "pre", "dd", "dt"}
_BOILER = re.compile(
    r"(cookie|subscribe|sign up|newsletter|all rights reserved|copyright|©|advertisement|"
    r"share this|follow us|read more|related articles|privacy policy|terms of use|"
    r"無断転載|著作権|クッキー|会員登録|ログイン|関連記事|広告|シェア)", re.I)


class _TextHTMLParser(HTMLParser):
    """Collect title, ``<html lang>`` and text blocks with their link-text share."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.in_title = False
        self.in_a = 0
        self.title = ""
        self.og_title = ""
        self.h1 = ""
        self.in_h1 = False
        self.lang: str | None = None
        self.blocks: list[tuple[str, int, bool]] = []  # text, link chars, inside <article>/<main>
        self.buf: list[str] = []
        self.link_chars = 0
        self.main_depth = 0
        self.published: str | None = None

    def _flush(self) -> None:
        txt = " ".join("".join(self.buf).split())
        if txt:
            self.blocks.append((txt, self.link_chars, self.main_depth > 0))
        self.buf = []
        self.link_chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html" and a.get("lang"):
            self.lang = (a["lang"] or "")[:2].lower()
        if tag == "meta":
            prop = (a.get("property") or a.get("name") or "").lower()
            if prop == "og:title" and a.get("content"):
                self.og_title = a["content"] or ""
            if prop in ("article:published_time", "date", "pubdate") and a.get("content"):
                self.published = a["content"]
        if tag == "time" and a.get("datetime") and self.published is None:
            self.published = a["datetime"]
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag in ("article", "main"):
            self.main_depth += 1
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.in_h1 = True
        if tag == "a":
            self.in_a += 1
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag == "a":
            self.in_a = max(0, self.in_a - 1)
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag in ("article", "main"):
            self.main_depth = max(0, self.main_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip:
            return
        if self.in_h1:
            self.h1 += data
        self.buf.append(data)
        if self.in_a:
            self.link_chars += len(data.strip())


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (tags dropped, entities decoded, blocks on new lines)."""
    p = _TextHTMLParser()
    try:
        p.feed(markup)
        p.close()
    except Exception:  # noqa: BLE001 - HTMLParser can raise on pathological markup
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    p._flush()
    return "\n".join(b[0] for b in p.blocks)


def calc_boilerplate_free(blocks: list[tuple[str, int, bool]], min_len_en: int = 40,
                          min_len_ja: int = 15, max_link_share: float = 0.5) -> list[str]:
    """Keep content blocks: long enough, few link characters, no boilerplate phrase.

    When the page has ``<article>``/``<main>`` content, blocks outside it are dropped.
    A block is kept when its length is at least ``min_len_ja`` (text with Japanese script) or
    ``min_len_en`` characters, its link-text share is at most ``max_link_share`` and it
    does not match the boilerplate pattern (cookie banners, sign-up prompts, copyright lines).
    """
    has_main = any(b[2] for b in blocks)
    out: list[str] = []
    for txt, link_chars, in_main in blocks:
        if has_main and not in_main:
            continue
        ja = bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", txt))
        if len(txt) < (min_len_ja if ja else min_len_en):
            continue
        if link_chars / max(len(txt), 1) > max_link_share:
            continue
        if len(txt) < 200 and _BOILER.search(txt):
            continue
        out.append(txt)
    return out


def read_html(markup: str | bytes, *, id: str, url: str | None = None) -> tuple[Article, list[str]]:
    """One article from an HTML page: title, main text without boilerplate, language, date.

    Returns
    -------
    (Article, warnings)
    """
    if isinstance(markup, bytes):
        m = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", markup[:4096])
        enc = m.group(1).decode("ascii") if m else "utf-8"
        try:
            markup = markup.decode(enc, errors="replace")
        except LookupError:
            markup = markup.decode("utf-8", errors="replace")
    p = _TextHTMLParser()
    try:
        p.feed(markup)
        p.close()
    except Exception as e:  # noqa: BLE001
        return Article(id=id, url=url, kind="article"), [f"unparseable HTML: {e}"]
    p._flush()
    title = (p.og_title or p.h1 or p.title).strip()
    body = [b for b in calc_boilerplate_free(p.blocks) if b.strip() != title]
    t_clean, w1 = clean_text(title)
    b_clean, w2 = clean_text("\n\n".join(body))
    return Article(id=id, title=t_clean, text=b_clean, lang=p.lang, published=p.published,
                   url=url, kind="article"), w1 + w2


# ----------------------------------------------------------------------------- feeds

_NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
       "dc": "http://purl.org/dc/elements/1.1/"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_date(value: str | None) -> str | None:
    """ISO 8601 text of an RFC 822 (RSS) or ISO 8601 (Atom) date, else ``None``."""
    if not value or not value.strip():
        return None
    v = value.strip()
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        d = parsedate_to_datetime(v)
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _txt(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def read_feed(data: str | bytes, *, source: str = "feed") -> tuple[list[Article], list[Problem]]:
    """Articles of an RSS 2.0 or Atom 1.0 document (HTML in descriptions is stripped).

    Parameters
    ----------
    data : str or bytes
        The XML document.
    source : str
        Name used in problem reports (the file name or URL).
    """
    problems: list[Problem] = []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        line = e.position[0] if hasattr(e, "position") else None
        problems.append(Problem(source, line, None, f"malformed XML feed ({e})"))
        return [], problems
    arts: list[Article] = []
    tag = root.tag.lower()
    if tag.endswith("rss") or tag.endswith("rdf"):
        chan = root.find("channel")
        lang = _txt(chan.find("language")) if chan is not None else ""
        items = root.iter("item")
        for n, it in enumerate(items, start=1):
            body = _txt(it.find("content:encoded", _NS)) or _txt(it.find("description"))
            link = _txt(it.find("link")) or None
            rid = _txt(it.find("guid")) or link or f"{source}#{n}"
            date = parse_date(_txt(it.find("pubDate")) or _txt(it.find("dc:date", _NS)))
            arts.append(_feed_article(rid, _txt(it.find("title")), body, lang, date, link, n,
                                      source, problems))
    elif tag == "{http://www.w3.org/2005/atom}feed":
        lang = root.get(_XML_LANG, "")
        for n, en in enumerate(root.findall("atom:entry", _NS), start=1):
            body = _txt(en.find("atom:content", _NS)) or _txt(en.find("atom:summary", _NS))
            link_el = en.find("atom:link[@rel='alternate']", _NS) or en.find("atom:link", _NS)
            link = link_el.get("href") if link_el is not None else None
            rid = _txt(en.find("atom:id", _NS)) or link or f"{source}#{n}"
            date = parse_date(_txt(en.find("atom:published", _NS)) or _txt(en.find("atom:updated", _NS)))
            arts.append(_feed_article(rid, _txt(en.find("atom:title", _NS)), body,
                                      en.get(_XML_LANG, lang), date, link, n, source, problems))
    else:
        problems.append(Problem(source, None, None, f"not an RSS or Atom feed (root <{root.tag}>)"))
    return arts, problems


def _feed_article(rid: str, title: str, body: str, lang: str, date: str | None, link: str | None,
                  n: int, source: str, problems: list[Problem]) -> Article:
    if "<" in body:
        body = html_to_text(body)
    t, w1 = clean_text(html.unescape(title))
    b, w2 = clean_text(body)
    for w in w1 + w2:
        problems.append(Problem(source, n, None, w, "warning"))
    return Article(id=rid, title=t, text=b, lang=(lang or "")[:2].lower() or None, published=date,
                   url=link, kind="article", line=n)


def fetch_url(url: str, timeout: float = 15.0) -> bytes:
    """Download ``url`` (feeds and pages, online use only).

    Raises
    ------
    NetworkUnavailable
        When the network or host cannot be reached.
    """
    req = urllib.request.Request(url, headers={"User-Agent": "reslog/0.1 (+https://github.com/)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - user-given URL
            return r.read(MAX_CHARS * 50)
    except (urllib.error.URLError, OSError) as e:
        raise NetworkUnavailable(f"cannot fetch {url}: {e}; check the network or pass a local "
                                 "file") from e


def read_any(path_or_url: str | Path) -> tuple[list[Article], list[Problem]]:
    """Read articles from a JSON-lines file, an RSS/Atom feed or an HTML page (file or URL).

    The format is chosen by extension (``.jsonl``/``.json`` → JSON lines, ``.xml``/``.rss``/
    ``.atom`` → feed, ``.html``/``.htm`` → page) or, for URLs and other names, by sniffing the
    first bytes.
    """
    s = str(path_or_url)
    is_url = s.startswith(("http://", "https://"))
    if not is_url:
        p = Path(s)
        if p.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            return read_jsonl(p)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise InputError(p, f"cannot open: {e.strerror or e}") from e
    else:
        data = fetch_url(s)
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<rdf" in head:
        return read_feed(data, source=s)
    if b"<html" in head or b"<!doctype html" in head:
        art, warns = read_html(data, id=s, url=s if is_url else None)
        return [art], [Problem(s, None, None, w, "warning") for w in warns]
    if not is_url:
        return read_jsonl(Path(s))
    return [], [Problem(s, None, None, "unrecognised content (not JSON lines, feed or HTML)")]


def articles_from_records(records: Iterable[dict], source: str = "<records>"
                          ) -> tuple[list[Article], list[Problem]]:
    """Articles from in-memory dicts (API use); same checks as :func:`iter_jsonl`."""
    problems: list[Problem] = []
    out: list[Article] = []
    seen: set[str] = set()
    for n, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            problems.append(Problem(source, n, None, "not an object; skipped"))
            continue
        a = parse_record(rec, source, n, problems)
        if a is None:
            continue
        if a.id in seen:
            problems.append(Problem(source, n, "id", f"duplicate id {a.id!r}; skipped"))
            continue
        seen.add(a.id)
        out.append(a)
    return out, problems
