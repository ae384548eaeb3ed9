"""The one exception type users see: the CLI prints it as one line and exits 2."""


class QuizgenError(Exception):
    """A problem with the user's input (a stack, an option, a file), worded for the user."""


class LayerError(QuizgenError):
    """A layer cannot take the shape it is given; the message names the layer."""
