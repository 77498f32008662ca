"""``python -m emulation_rules`` runs the command-line tool."""

from emulation_rules.cli.app import main

if __name__ == "__main__":
    main()
