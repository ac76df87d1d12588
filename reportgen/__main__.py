"""python -m reportgen"""

from .cli import run

raise SystemExit(run())
