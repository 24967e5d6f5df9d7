"""The content: pages read from Markdown with typed front matter, pages generated from
the tables, agendas and what a page can be searched by."""
