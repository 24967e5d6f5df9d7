"""The computed tables: the rules applied to a project's data, each table with its
columns, rows and output files."""
