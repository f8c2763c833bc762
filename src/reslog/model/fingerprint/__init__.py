"""Rare-earth-element fingerprints: chondrite normalisation, missing-robust features (Eu and Ce
anomalies, LREE/HREE shape coefficients, log-ratios), embedding, and a classifier of deposit
type with calibrated probabilities and an "unknown origin" answer (docs/fingerprint.md)."""
