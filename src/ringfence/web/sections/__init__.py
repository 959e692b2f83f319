"""One module per section of the web app: its page routes (thin: the domain services scope and audit)."""
