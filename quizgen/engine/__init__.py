"""The engine: layers, stacks, misconceptions and question kinds. Pure computation: no files, no
templates, no jinja2, faker or markdown (a test imports it alone and checks)."""
