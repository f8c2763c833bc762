"""Held-out evaluation of the text pipeline on the labelled corpus.

Protocol
--------
* **Split by event cluster.** An article goes to the test split when
  ``sha256(salt + cluster) mod 100 < 100·test_share`` (default 20 %), so every report of one
  event, and every near-duplicate, falls on the same side: training never sees a rewrite of a
  test article. The split depends only on the cluster ids, not on the corpus order or size.
* **Train** the classifier and rankers on the training split only (:func:`train_model`).
* **Event type**: per-class precision, recall, F1 and the macro-F1 over the classes present in
  the test split, overall and per language.
* **Country / commodity**: exact-match accuracy of the ISO3 code / canonical name, ``null``
  counting as a value (an article with no event country must get ``null``). Reported over all
  test articles and over those with an event (gold type ≠ ``none``).
* **De-duplication**: B-cubed precision, recall and F1 (Bagga & Baldwin 1998; Amigó et al.
  2009) of the predicted event clusters against the gold ``cluster`` labels, on the test split
  with *predicted* fields (end to end) and, to isolate the merging rule, with gold fields.
  Also end to end over the whole corpus with out-of-fold predictions (k folds by cluster).

References
----------
Bagga, A., Baldwin, B. (1998). Algorithms for scoring coreference chains. LREC workshop.
Amigó, E., Gonzalo, J., Artiles, J., Verdejo, F. (2009). A comparison of extrinsic clustering
evaluation metrics based on formal constraints. Information Retrieval 12, 461–486.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from reslog.intel.text.analysis import Analysis, analyse
from reslog.intel.text.corpus import load_corpus
from reslog.intel.text.dedup import cluster_events
from reslog.intel.text.extract import ExtractedEvent, extract_from_analyses
from reslog.intel.text.gazetteer import Gazetteer, default_gazetteer
from reslog.intel.text.model import records_to_articles, train_model

SALT = "reslog-text-split-v1"


def calc_split(clusters: Sequence[str], test_share: float = 0.2, salt: str = SALT) -> np.ndarray:
    """Boolean test mask: cluster hash below ``test_share`` (see module docstring)."""
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share must be in (0, 1), got {test_share}")
    out = np.empty(len(clusters), dtype=bool)
    for i, c in enumerate(clusters):
        h = int(hashlib.sha256((salt + str(c)).encode("utf-8")).hexdigest()[:8], 16)
        out[i] = (h % 100) < round(test_share * 100)
    return out


def calc_folds(clusters: Sequence[str], k: int = 5, salt: str = SALT) -> np.ndarray:
    """Fold number 0..k-1 per article, by cluster hash."""
    return np.array([int(hashlib.sha256((salt + "fold" + str(c)).encode()).hexdigest()[:8], 16) % k
                     for c in clusters])


def calc_bcubed(gold: Sequence[object], pred: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a predicted clustering against a gold one.

    For each item *i* with predicted cluster *P(i)* and gold cluster *G(i)*:
    :math:`p_i = |P(i) ∩ G(i)| / |P(i)|`, :math:`r_i = |P(i) ∩ G(i)| / |G(i)|`;
    precision and recall are the means over items and F1 their harmonic mean.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predicted")
    n = len(gold)
    if n == 0:
        return 1.0, 1.0, 1.0
    g = pd.Series(list(gold)).astype(str).to_numpy()
    p = pd.Series(list(pred)).astype(str).to_numpy()
    inter = pd.crosstab(p, g)
    p_size = inter.sum(axis=1)
    g_size = inter.sum(axis=0)
    prec = rec = 0.0
    for i in range(n):
        c = inter.at[p[i], g[i]]
        prec += c / p_size[p[i]]
        rec += c / g_size[g[i]]
    prec /= n
    rec /= n
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return float(prec), float(rec), float(f1)


@dataclass
class EvalResult:
    """Everything :func:`evaluate_corpus` measured."""

    n_train: int
    n_test: int
    per_class: pd.DataFrame
    macro_f1: float
    macro_f1_lang: dict[str, float]
    accuracy: float
    country_acc: float
    country_acc_events: float
    commodity_acc: float
    commodity_acc_events: float
    lang_scores: pd.DataFrame
    bcubed_test: tuple[float, float, float]
    bcubed_test_gold_fields: tuple[float, float, float]
    bcubed_oof: tuple[float, float, float] | None
    n_clusters_test: int
    corpus_counts: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)


def _macro(y: Sequence[str], p: Sequence[str]) -> float:
    labels = sorted(set(y))
    _, _, f, _ = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    return float(np.mean(f)) if len(f) else float("nan")


def _acc(gold: pd.Series, pred: pd.Series) -> float:
    if len(gold) == 0:
        return float("nan")
    return float((gold.fillna("∅").astype(str) == pred.fillna("∅").astype(str)).mean())


def _gold_events(df: pd.DataFrame) -> list[ExtractedEvent]:
    out = []
    for r in df.itertuples(index=False):
        out.append(ExtractedEvent(
            id=r.id, event_type=r.event_type, country=r.country if isinstance(r.country, str) else None,
            commodity=r.commodity if isinstance(r.commodity, str) else None, mine_id=None, lat=None,
            lon=None, date=str(r.published)[:10] if isinstance(r.published, str) else None,
            severity=0.0, confidence=1.0, lang=r.lang or "und", title=r.title,
            places=[r.mine] if isinstance(r.mine, str) and r.mine else []))
    return out


def evaluate_corpus(df: pd.DataFrame | None = None, *, test_share: float = 0.2, oof_folds: int = 5,
                    gazetteer: Gazetteer | None = None) -> EvalResult:
    """Train on the training split, measure on the held-out split (see module docstring).

    Parameters
    ----------
    df : DataFrame, optional
        Corpus rows; default the package corpus.
    test_share : float
        Share of clusters held out.
    oof_folds : int
        Folds for the whole-corpus out-of-fold de-duplication score (0 to skip).
    """
    df = load_corpus() if df is None else df.reset_index(drop=True)
    gaz = gazetteer or default_gazetteer()
    analyses: list[Analysis] = [analyse(a, gaz) for a in records_to_articles(df)]
    texts = [a.doc for a in analyses]
    test = calc_split(df["cluster"].tolist(), test_share)
    tr, te = np.where(~test)[0], np.where(test)[0]
    model = train_model(df.iloc[tr], gaz, [analyses[i] for i in tr])
    pred = extract_from_analyses([analyses[i] for i in te], model)
    dt = df.iloc[te].copy()
    dt["p_type"] = [e.event_type for e in pred]
    dt["p_country"] = [e.country for e in pred]
    dt["p_commodity"] = [e.commodity for e in pred]
    y, p = dt["event_type"].tolist(), dt["p_type"].tolist()
    labels = sorted(set(y) | set(p))
    pr, rc, f1, sup = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    per_class = pd.DataFrame({"event_type": labels, "precision": pr, "recall": rc, "f1": f1,
                              "support": sup})
    macro = _macro(y, p)
    lang_rows = []
    macro_lang = {}
    for lang, g in dt.groupby("lang"):
        ev = g[g["event_type"] != "none"]
        macro_lang[str(lang)] = _macro(g["event_type"].tolist(), g["p_type"].tolist())
        lang_rows.append({"lang": lang, "n": len(g), "macro_f1": macro_lang[str(lang)],
                          "accuracy": float((g["event_type"] == g["p_type"]).mean()),
                          "country_acc": _acc(g["country"], g["p_country"]),
                          "country_acc_events": _acc(ev["country"], ev["p_country"]),
                          "commodity_acc": _acc(g["commodity"], g["p_commodity"])})
    ev = dt[dt["event_type"] != "none"]
    # de-duplication on the test split
    te_texts = [texts[i] for i in te]
    lab_pred = cluster_events(pred, te_texts)
    bc_test = calc_bcubed(dt["cluster"].tolist(), lab_pred)
    lab_gold = cluster_events(_gold_events(dt), te_texts)
    bc_gold = calc_bcubed(dt["cluster"].tolist(), lab_gold)
    bc_oof = None
    if oof_folds and oof_folds > 1:
        folds = calc_folds(df["cluster"].tolist(), oof_folds)
        oof: list[ExtractedEvent | None] = [None] * len(df)
        for k in range(oof_folds):
            a_tr, a_te = np.where(folds != k)[0], np.where(folds == k)[0]
            if len(a_te) == 0:
                continue
            m = train_model(df.iloc[a_tr], gaz, [analyses[i] for i in a_tr])
            for i, e in zip(a_te, extract_from_analyses([analyses[i] for i in a_te], m)):
                oof[i] = e
        labs = cluster_events([e for e in oof if e is not None], texts)
        bc_oof = calc_bcubed(df["cluster"].tolist(), labs)
    counts = df.pivot_table(index="event_type", columns="lang", values="id", aggfunc="count",
                            fill_value=0)
    errors = dt[(dt["event_type"] != dt["p_type"]) | (dt["country"].fillna("∅") != dt["p_country"].fillna("∅"))
                | (dt["commodity"].fillna("∅") != dt["p_commodity"].fillna("∅"))]
    return EvalResult(
        n_train=len(tr), n_test=len(te), per_class=per_class, macro_f1=macro, macro_f1_lang=macro_lang,
        accuracy=float(np.mean(np.array(y) == np.array(p))) if y else float("nan"),
        country_acc=_acc(dt["country"], dt["p_country"]),
        country_acc_events=_acc(ev["country"], ev["p_country"]),
        commodity_acc=_acc(dt["commodity"], dt["p_commodity"]),
        commodity_acc_events=_acc(ev["commodity"], ev["p_commodity"]),
        lang_scores=pd.DataFrame(lang_rows), bcubed_test=bc_test, bcubed_test_gold_fields=bc_gold,
        bcubed_oof=bc_oof, n_clusters_test=int(dt["cluster"].nunique()), corpus_counts=counts,
        errors=errors[["id", "lang", "event_type", "p_type", "country", "p_country", "commodity",
                       "p_commodity", "title"]],
    )


def _table(df: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in r]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(r: EvalResult) -> str:
    """The evaluation as a Markdown section (used in ``docs/text-intel.md``)."""
    gap = abs(r.macro_f1_lang.get("en", float("nan")) - r.macro_f1_lang.get("ja", float("nan")))
    lines = [
        f"Training split: {r.n_train} articles; held-out split: {r.n_test} articles in "
        f"{r.n_clusters_test} event clusters (never seen in training).",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| event-type macro-F1 (all) | {r.macro_f1:.3f} | ≥ 0.85 |",
        f"| event-type macro-F1 (English) | {r.macro_f1_lang.get('en', float('nan')):.3f} | |",
        f"| event-type macro-F1 (Japanese) | {r.macro_f1_lang.get('ja', float('nan')):.3f} | within 0.05 of English (gap {gap:.3f}) |",
        f"| event-type accuracy | {r.accuracy:.3f} | |",
        f"| country accuracy (all articles, null counts) | {r.country_acc:.3f} | ≥ 0.90 |",
        f"| country accuracy (articles with an event) | {r.country_acc_events:.3f} | |",
        f"| commodity accuracy (all articles, null counts) | {r.commodity_acc:.3f} | ≥ 0.85 |",
        f"| commodity accuracy (articles with an event) | {r.commodity_acc_events:.3f} | |",
        f"| de-dup B-cubed F1, held-out, predicted fields (P {r.bcubed_test[0]:.3f}, R {r.bcubed_test[1]:.3f}) | {r.bcubed_test[2]:.3f} | ≥ 0.90 |",
        f"| de-dup B-cubed F1, held-out, gold fields (P {r.bcubed_test_gold_fields[0]:.3f}, R {r.bcubed_test_gold_fields[1]:.3f}) | {r.bcubed_test_gold_fields[2]:.3f} | |",
    ]
    if r.bcubed_oof is not None:
        lines.append(f"| de-dup B-cubed F1, whole corpus, out-of-fold predictions (P {r.bcubed_oof[0]:.3f}, "
                     f"R {r.bcubed_oof[1]:.3f}) | {r.bcubed_oof[2]:.3f} | |")
    lines += ["", "Per class (held-out split):", "", _table(r.per_class), "",
              "Per language (held-out split):", "", _table(r.lang_scores), "",
              "Corpus (all splits), articles per event type and language:", "",
              _table(r.corpus_counts.reset_index())]
    return "\n".join(lines)
