"""``reslog fingerprint train|classify``: REE fingerprints of deposit type (docs/fingerprint.md).

``train`` cross-validates (grouped by deposit), fits on all samples and saves the model with
its provenance (dataset, reference, ledger ids); ``classify`` reads a sample CSV and prints the
class, the calibrated probabilities and "unknown" when a sample is far from every class."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Annotated, Optional

import typer

from reslog import __version__
from reslog.cli.common import DbOption, open_warehouse
from reslog.errors import ReslogError

fp_app = typer.Typer(help="Rare-earth-element fingerprints: train and classify.", no_args_is_help=True)
DEFAULT_MODEL = Path("reslog-data/fingerprint-model.pkl")


def register(app: typer.Typer) -> None:
    """Add ``reslog fingerprint …``."""
    import reslog.store.scenario_tables  # noqa: F401

    app.add_typer(fp_app, name="fingerprint")


@fp_app.command("train")
def train_cmd(db: DbOption = None,
              dataset: Annotated[str, typer.Option(help="porphyry_pcd (Au-rich vs Cu-rich) or porphyry_auml (3 classes).")] = "porphyry_pcd",
              reference: Annotated[str, typer.Option(help="Chondrite reference (Chondrite_MS95, Chondrite_PON).")] = "Chondrite_MS95",
              model: Annotated[Path, typer.Option(help="Where to save the trained model.")] = DEFAULT_MODEL,
              figure: Annotated[Optional[Path], typer.Option(help="Write spider + embedding figures (HTML).")] = None) -> None:
    """Grouped-by-deposit cross-validation, then fit on every sample and save."""
    from reslog.cli.scenario import console, print_frame
    from reslog.jobs.scenario import run_fingerprint

    with open_warehouse(db, read_only=True) as wh:
        run = run_fingerprint(wh, dataset, reference, embed=figure is not None)
        ledger = wh.query("SELECT DISTINCT ledger_id FROM geochem_samples WHERE dataset = ?", [dataset])
    print_frame(run.summary.T.reset_index().rename(columns={"index": "metric", 0: "value"}),
                f"Grouped CV by deposit — {dataset}")
    for n in run.notes:
        console.print(f"  note: {n}")
    model.parent.mkdir(parents=True, exist_ok=True)
    with open(model, "wb") as f:
        pickle.dump({"reslog_version": __version__, "dataset": dataset, "reference": reference,
                     "ledger_ids": ledger["ledger_id"].tolist(), "classifier": run.classifier,
                     "cv": run.summary.to_dict("records")}, f)
    console.print(f"model saved: {model}")
    if figure:
        from reslog.figures.fingerprint import embedding_figure

        figure.parent.mkdir(parents=True, exist_ok=True)
        embedding_figure(run.embedding).write_html(str(figure), include_plotlyjs=True)
        console.print(f"figure: {figure}")


@fp_app.command("classify")
def classify_cmd(samples: Annotated[Path, typer.Argument(help="CSV: sample_id + REE columns in ppm ('<x' = below detection).")],
                 db: DbOption = None,
                 model: Annotated[Path, typer.Option(help="Model saved by `reslog fingerprint train`.")] = DEFAULT_MODEL) -> None:
    """Classify samples: most probable class or "unknown", with calibrated probabilities."""
    import pandas as pd

    from reslog.cli.scenario import console, print_frame
    from reslog.jobs.scenario import reference_values
    from reslog.model.fingerprint.features import FEATURES, calc_features, normalise
    from reslog.sources.geochem import read_samples_csv

    if not model.exists():
        raise ReslogError(f"{model}: no trained model; run `reslog fingerprint train` first")
    with open(model, "rb") as f:
        saved = pickle.load(f)  # noqa: S301 - a file this command's own `train` wrote
    vals, flags = read_samples_csv(samples)
    with open_warehouse(db, read_only=True) as wh:
        ref = reference_values(wh, saved["reference"])
    feats = calc_features(normalise(vals, ref))
    clf = saved["classifier"]
    ok = feats[list(FEATURES)].notna().all(axis=1).to_numpy()
    out = pd.DataFrame({"sample_id": vals.index, "answer": "too few REE (need ≥ 4 of La…Lu besides Ce, Eu)",
                        "n_elements": feats["n_elements"].to_numpy(),
                        "below_detection": (flags != "").sum(axis=1).to_numpy()})
    if ok.any():
        X = feats.loc[ok, list(FEATURES)].to_numpy(float)
        out.loc[ok, "answer"] = clf.predict(X)
        P = clf.predict_proba(X)
        for j, c in enumerate(clf.classes):
            out.loc[ok, f"p[{c}]"] = P[:, j]
    print_frame(out, f"Fingerprint classification ({saved['dataset']}, model {model.name})")
    console.print("  below-detection cells use half the detection limit (flagged in 'below_detection')")
