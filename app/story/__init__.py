"""The participant's story (issue 15): their care history told once, in their own words."""
