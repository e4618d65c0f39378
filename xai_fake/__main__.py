"""``python -m xai_fake`` runs the ``xai-fake`` command."""

from xai_fake.cli import main

raise SystemExit(main())
