"""The residents' window (楼栋公示): a public page per building, residents' reports and complaints, desk notices."""
