"""Two-dimensional embedding of fingerprint features for display: UMAP (umap-learn) on the
standardised features, or PCA when umap-learn is not installed (the result says which).

McInnes, L., Healy, J. & Melville, J. (2018) UMAP: Uniform Manifold Approximation and
Projection for dimension reduction. arXiv:1802.03426.
"""

from __future__ import annotations

import numpy as np


def embed_2d(X: np.ndarray, seed: int = 42, n_neighbors: int = 15) -> tuple[np.ndarray, str]:
    """(n, 2) coordinates and the method name (``umap`` or ``pca``)."""
    X = np.asarray(X, float)
    Z = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
    try:
        import umap  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        U, S, _ = np.linalg.svd(Z - Z.mean(0), full_matrices=False)
        return U[:, :2] * S[:2], "pca"
    red = umap.UMAP(n_neighbors=min(n_neighbors, len(Z) - 1), random_state=seed, n_jobs=1)
    return red.fit_transform(Z), "umap"
