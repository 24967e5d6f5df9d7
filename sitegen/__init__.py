"""sitegen: value-for-money publications for public-sector partnerships."""

__version__ = "0.1.0"
