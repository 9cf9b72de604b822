"""zwgk: the 政务公开目录 static site generator."""

__version__ = "0.9.0"   # the one place the version is kept (python build.py --version)
