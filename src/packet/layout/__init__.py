"""Rendering and layout: packet Markdown to HTML, HTML to PDF pages, marks in the margin."""
