"""After an appointment: how did it go? (issue 14, item 3)."""
