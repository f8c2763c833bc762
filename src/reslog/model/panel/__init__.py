"""Metals–SDG panel: direct material input (DMI) of metals by country and year, SDG-related
indicators, and fixed-effects regressions with clustered errors and a multiple-testing
correction (docs/panel.md)."""
