"""Tasks: the plan in plain words, and the participant's answer to it (issue 14, item 2)."""
