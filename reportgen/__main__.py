"""python -m reportgen"""

from .cli import main

raise SystemExit(main())
