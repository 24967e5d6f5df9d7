"""The build: the pipeline (pipeline.py), the outputs it makes (outputs.py), the one
record of what they were made from (state.py), and the swap of site/ (atomic.py).

Empty on purpose: `sitegen build` imports state.py alone to find that nothing changed,
without loading pandas, Markdown or WeasyPrint."""
