"""Dashboard: each role's home page, made of the sections the domains register; reads domain queries only."""
