"""Rendering: pages to HTML through Jinja and Markdown, the table()/chart()/value()/rows()
functions, number formatting, charts, paragraph numbering, sanitising and navigation."""
