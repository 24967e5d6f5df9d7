"""Browser tests (Playwright + Chromium + axe-core); a package so its conftest has its own name."""
