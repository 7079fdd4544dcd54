"""One maker per format: what each edition is made from, per publication."""
