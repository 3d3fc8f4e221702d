"""shopops: a self-hosted AI operations copilot for e-commerce merchants."""

__version__ = "0.1.0"
