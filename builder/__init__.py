"""Personal thank-you media (deck, video, microsite) from one pitch file."""

__version__ = "0.1.0"
