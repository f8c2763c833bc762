"""The trained text model (classifier + country and commodity rankers), its training and cache.

The model is trained from the corpus shipped in the repository (``data/corpus``), never
downloaded. Training takes a few seconds; the result is cached as a pickle in
``$RESLOG_CACHE_DIR`` (default ``~/.cache/reslog``) under a name that includes the SHA-256 of
the corpus and gazetteer files, :data:`MODEL_VERSION` and the scikit-learn version, so a
changed corpus or library retrains automatically. ``reslog events train`` forces it.
The cache only ever holds a model this code wrote; delete the folder to reset.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
import sklearn

from reslog.intel.text.analysis import Analysis, analyse
from reslog.intel.text.classify import EventClassifier
from reslog.intel.text.corpus import corpus_paths, load_corpus
from reslog.intel.text.gazetteer import Gazetteer, default_gazetteer, gazetteer_files
from reslog.intel.text.ingest import Article, clean_text
from reslog.intel.text.resolve import (CandidateRanker, calc_commodity_features,
                                       calc_country_features, commodity_ranker, country_ranker)

MODEL_VERSION = "4"
OOF_FOLDS = 3
"""Folds for the out-of-fold ``none`` probability the rankers are trained on."""


@dataclass
class TextModel:
    """Everything extraction needs that is learned from the corpus."""

    classifier: EventClassifier
    country: CandidateRanker
    commodity: CandidateRanker
    trained_on: str = ""
    n_train: int = 0
    info: dict = field(default_factory=dict)


def records_to_articles(df: pd.DataFrame) -> list[Article]:
    """Corpus rows → :class:`Article` objects, cleaned like ingested text (labels are not copied)."""
    return [Article(id=str(r.id), title=clean_text(str(r.title or ""))[0],
                    text=clean_text(str(r.text or ""))[0],
                    lang=r.lang if isinstance(r.lang, str) else None,
                    published=r.published if isinstance(r.published, str) else None,
                    url=r.url if isinstance(r.url, str) else None,
                    kind=r.kind if isinstance(r.kind, str) else "article")
            for r in df.itertuples(index=False)]


def _clean_label(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def train_model(df: pd.DataFrame, gazetteer: Gazetteer | None = None,
                analyses: Sequence[Analysis] | None = None) -> TextModel:
    """Train classifier and rankers on labelled corpus rows.

    Parameters
    ----------
    df : DataFrame
        Corpus rows (:func:`reslog.intel.text.corpus.load_corpus`).
    gazetteer : Gazetteer, optional
        Defaults to the package gazetteer.
    analyses : list of Analysis, optional
        Pre-computed analyses of ``df`` rows (same order), to avoid re-tokenising.
    """
    gaz = gazetteer or default_gazetteer()
    if analyses is None:
        analyses = [analyse(a, gaz) for a in records_to_articles(df)]
    labels = df["event_type"].tolist()
    clf = EventClassifier().fit(analyses, labels)
    # The rankers use the classifier's probabilities ("none", "sanctions") as features. At
    # training time they must be out-of-fold (in-sample probabilities are over-confident), so
    # the classifier is refitted on k-1 folds grouped by event cluster.
    none_flags = calc_oof_probs(analyses, labels, df["cluster"].tolist() if "cluster" in df else None)
    c_sets = [calc_country_features(a, f) for a, f in zip(analyses, none_flags)]
    m_sets = [calc_commodity_features(a, f) for a, f in zip(analyses, none_flags)]
    cr = country_ranker().fit(c_sets, [_clean_label(v) for v in df["country"]])
    mr = commodity_ranker().fit(m_sets, [_clean_label(v) for v in df["commodity"]])
    return TextModel(clf, cr, mr, n_train=len(df))


def calc_oof_probs(analyses: Sequence[Analysis], labels: Sequence[str],
                   groups: Sequence[str] | None, k: int = OOF_FOLDS) -> list[dict[str, float]]:
    """Out-of-fold event-type probabilities of each training article (folds by ``groups``)."""
    n = len(labels)
    groups = list(groups) if groups is not None else [str(i) for i in range(n)]
    fold = [int(hashlib.sha256(str(g).encode()).hexdigest()[:8], 16) % k for g in groups]
    out: list[dict[str, float]] = [{lab: 1.0} for lab in labels]
    for f in range(k):
        tr = [i for i in range(n) if fold[i] != f]
        te = [i for i in range(n) if fold[i] == f]
        if not te or len({labels[i] for i in tr}) < 2:
            continue
        clf = EventClassifier().fit([analyses[i] for i in tr], [labels[i] for i in tr])
        p = clf.predict_proba([analyses[i] for i in te])
        for i, row in zip(te, p):
            out[i] = {c: float(v) for c, v in zip(clf.classes_, row)}
    return out


def cache_dir() -> Path:
    """Model cache folder: ``$RESLOG_CACHE_DIR`` or ``~/.cache/reslog``."""
    env = os.environ.get("RESLOG_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "reslog"


def model_key(corpus_dir: Path | None = None) -> str:
    """Hash of corpus + gazetteer files + model/library versions."""
    h = hashlib.sha256()
    for p in [*corpus_paths(corpus_dir), *gazetteer_files()]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h.update(f"{MODEL_VERSION}|{sklearn.__version__}".encode())
    return h.hexdigest()[:16]


_MEMO: dict[str, TextModel] = {}


def load_or_train(corpus_dir: Path | None = None, *, retrain: bool = False, use_cache: bool = True) -> TextModel:
    """The model for the current corpus: from memory, the disk cache, or trained now.

    Raises
    ------
    FileNotFoundError
        When there is no corpus to train from.
    """
    key = model_key(corpus_dir)
    if not retrain and key in _MEMO:
        return _MEMO[key]
    path = cache_dir() / f"text-model-{key}.pkl"
    if use_cache and not retrain and path.exists():
        try:
            with open(path, "rb") as fh:
                model = pickle.load(fh)  # noqa: S301 - our own cache file
            if isinstance(model, TextModel):
                _MEMO[key] = model
                return model
        except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt
            pass
    df = load_corpus(corpus_dir)
    if df.empty:
        raise FileNotFoundError(f"no labelled corpus in {corpus_dir or 'the package data/corpus'}")
    model = train_model(df)
    model.trained_on = key
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # one per process: parallel trainers
            with open(tmp, "wb") as fh:
                pickle.dump(model, fh)
            tmp.replace(path)
        except OSError:
            pass  # read-only home: keep the model in memory only
    _MEMO[key] = model
    return model
