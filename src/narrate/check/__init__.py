"""`narrate check`: validate what was built (EPUBCheck, PDF tags, audio chapters, loudness)."""
