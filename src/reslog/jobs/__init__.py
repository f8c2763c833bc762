"""Orchestrators: whole jobs that chain sources → store → model → report (the CLI calls them)."""
