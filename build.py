#!/usr/bin/env python3
"""政务公开目录 static site generator — command-line entry point.

    python build.py [build] [--site DIR] [--target website|intranet|kiosk] [--now ISO] …
    python build.py check [--format text|json] [FILES…]

See README.md. All the work is in the `generator` package.
"""
import sys

from generator.cli import main      # `python build.py` puts this folder first on sys.path


if __name__ == "__main__":
    sys.exit(main())
