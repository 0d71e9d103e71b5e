"""Version of the langchain-dataforseo package."""

__version__ = "0.1.0"
