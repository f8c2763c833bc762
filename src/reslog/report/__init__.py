"""Reports: self-contained HTML (no CDN, no network) built from computed tables."""
