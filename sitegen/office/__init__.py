"""The formats councils work in: accessible Excel workbooks of the tables (workbook.py)
and committee papers as Word documents (paper.py), each made from what the build has
already computed and rendered, never computed again."""
