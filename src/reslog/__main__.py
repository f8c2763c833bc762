"""``python -m reslog`` runs the command line."""

from reslog.cli import main

main()
