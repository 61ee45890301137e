"""Allow `python -m sessrec`."""

from sessrec.cli import main

main()
