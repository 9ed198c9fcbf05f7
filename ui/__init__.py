"""NiceGUI pages and the HTTP routes the browser needs; talks to domain/ use cases only."""
