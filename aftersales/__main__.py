"""`python -m aftersales` runs the command line."""

from aftersales.cli import main

if __name__ == "__main__":
    main()
