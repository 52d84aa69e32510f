"""Forward transfer and reverse referral workflow: events, state machines, derived state."""
