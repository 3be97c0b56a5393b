"""minzheng (民政): grassroots civil-affairs platform."""

__version__ = "0.1.0"
