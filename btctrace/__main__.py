"""``python -m btctrace`` runs the command-line interface."""

from btctrace.cli import main

if __name__ == "__main__":
    main()
