"""The monthly assessment (考核, A1–A5): the month's score from the field data, the inspector's round,
the survey, vetoes, the grade and the bond — issue 17."""
