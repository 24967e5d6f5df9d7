"""Returns to and from partners: XLSX templates out, receipts back. Services that the
CLI calls, as it calls the build."""
