"""Month figures over every duty, the month close and the month page (issue 12 items 3, 5, 6)."""
