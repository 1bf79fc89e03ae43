"""`python -m baocao` runs the same command line as the `baocao` console script."""

from baocao.cli import main

if __name__ == "__main__":
    main()
