"""Forward-looking models: trade projections under climate scenarios (ridge on GHG, GDP and
population, with baselines and a better panel model) and a dynamic stock-flow model of
low-carbon technology demand. Pure numerics: no I/O (docs/scenario.md)."""
