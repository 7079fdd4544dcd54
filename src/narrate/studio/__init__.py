"""``narrate serve``: a local web studio to hear every edit and fix a pronunciation in seconds.

``session`` knows the project (publications, their status, their sentences and clips),
``pronounce`` is the small adapter between the studio and the pronunciation path,
``lexfile`` writes an entry into a lexicon keeping its format and comments, ``app`` is the
ASGI application (pages, JSON, server-sent events, the safety checks), ``watch`` rebuilds
on a saved source and ``server`` runs it all under uvicorn. ``handoff`` (the command line's side)
and ``delegate`` (the studio's) let ``narrate build`` hand its build to a running studio.
"""
