"""The month's satisfaction survey (满意度调查, A2/A4): a questionnaire, responses from paper forms at the
desk or through a link, the score with the highest and lowest dropped — issue 17."""
