"""PDF papers: rendered pages laid out with WeasyPrint, and agenda packs put together
from their papers with pikepdf."""
