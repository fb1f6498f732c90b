"""``python -m bot`` runs the ``duban`` command line."""

import sys

from bot.cli import main

sys.exit(main())
