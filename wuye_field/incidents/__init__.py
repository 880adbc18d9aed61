"""Incidents (事件报告, P12, A4), SOS (第6篇④a) and complaints (投诉, W5/W6) — issue 16."""
