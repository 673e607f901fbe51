"""``python -m cortensor_sim`` runs the command line."""

from .interfaces.cli import app

app()
