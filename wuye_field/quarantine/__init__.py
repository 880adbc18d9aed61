"""The supervisor's side of quarantine (R12): see, apply late or dismiss what was kept aside, and import a
deactivated user's hand-over file. The rule that keeps actions aside is in sync.quarantine."""
