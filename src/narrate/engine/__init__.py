"""The build engine (keys, workers, staging, manifest, lock), `narrate clean`, and the CLI's views."""
