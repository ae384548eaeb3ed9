"""How a question may show its model. Chosen at generation: PyTorch code counts in PyTorch's
convention, so the style decides answers, not only looks. Kept import-free for `--help`."""

STYLES = ("table", "keras", "pytorch", "prose")
FRAMEWORKS = ("keras", "pytorch")  # the styles that show code
