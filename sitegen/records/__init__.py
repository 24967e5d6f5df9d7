"""Issued papers as records: their figures frozen as reported, revisions shown, never silent."""
