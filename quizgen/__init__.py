"""quizgen: randomized, verified exercises about CNN parameters and shapes."""

__version__ = "0.1.0"
