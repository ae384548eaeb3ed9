"""From questions to files: the jinja2 environment, the data templates read, code listings and
diagrams, the format registry, one module per packaged format, and safe file writing."""
