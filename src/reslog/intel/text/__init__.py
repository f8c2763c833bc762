"""Risk events from news and social-media text, in English and Japanese.

Pipeline (one module per step)::

    ingest     JSON lines / RSS / Atom / HTML → Article (bad lines reported, never fatal)
    lang       script-based language detection (en / ja)
    tokenize   regex words (en), MeCab + UniDic-lite (ja)
    gazetteer  countries, places, mines, commodities, cue words → spans
    analysis   one pass per article: tokens, matches, features
    classify   event type: TF-IDF words + char n-grams + cue block → logistic regression
    resolve    country / commodity among the candidates: trained candidate ranker
    quantities deaths, volume released, duration, date
    severity   documented rules (casualties, volume, duration, supply share)
    extract    orchestrator: articles → one record per input id
    dedup      articles about one event → one event with every source
    alerts     watch-lists → alert records
    model      training from the repository corpus, cache
    evaluate   held-out evaluation split by event cluster

See ``docs/text-intel.md``.
"""

from reslog.intel.text.alerts import Alert, Watchlist, calc_alerts, read_watchlist
from reslog.intel.text.dedup import MergedEvent, deduplicate
from reslog.intel.text.extract import ExtractedEvent, extract_events, extract_file
from reslog.intel.text.gazetteer import Gazetteer
from reslog.intel.text.ingest import Article, Problem, read_any, read_jsonl
from reslog.intel.text.model import TextModel, load_or_train

__all__ = [
    "Alert", "Article", "ExtractedEvent", "Gazetteer", "MergedEvent", "Problem", "TextModel",
    "Watchlist", "calc_alerts", "deduplicate", "extract_events", "extract_file", "load_or_train",
    "read_any", "read_jsonl", "read_watchlist",
]
