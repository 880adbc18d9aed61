"""Dashboard: each role's home page and (later) the supervisors' compliance views; reads domain queries only."""
