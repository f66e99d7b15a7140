"""Developer tools that ship with ember (``python -m ember.tools.coverage``)."""
