"""``python -m xatgrn.cli``: the same as the ``xatgrn`` console script."""

from xatgrn.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
