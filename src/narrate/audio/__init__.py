"""Synthesis (sentence cache; local processes or Ray), per-chapter mastering and encoding, the timeline."""
