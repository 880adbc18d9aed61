"""The gate and duty desk (P1, P10): rosters of the handover posts, visitors, and the gate's records."""
