"""Reading a project: narrate.toml, front matter, Markdown, finding sources (or one file)."""
