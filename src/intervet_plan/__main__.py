"""``python -m intervet_plan``: the command line."""

from intervet_plan.cli import main

raise SystemExit(main())
