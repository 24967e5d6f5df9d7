"""Issued papers as records: their figures frozen as reported, revisions shown, never silent."""

RECORDS_DIR = "issued"  # the project's folder of records, committed with it (one folder per issued page)
