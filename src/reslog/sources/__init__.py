"""Readers of real external formats. Each ``read_*`` returns a :class:`~reslog.sources.base.Parsed`
(canonical tables + provenance metadata) or raises :class:`~reslog.errors.InputError`.
Nothing else in reslog parses files."""
