"""``python -m skl_synth``: the same as the ``skl-synth`` command."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
