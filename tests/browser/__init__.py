"""Browser tests (Playwright + Debian Chromium). A package, so that a test here may share its basename
with one in tests/ (test_kiosk.py)."""
