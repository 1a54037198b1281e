"""The participant's pages (phone first)."""
