"""The data layer: the returns contract, reading CSV and XLSX files with true line
numbers, typing their cells and checking them. Imports no rendering, PDF or CLI code."""
