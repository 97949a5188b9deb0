"""packet: turn lesson files into print-ready student and teacher PDFs."""

__version__ = "0.1.0"
