import sys


def main() -> None:
    """``narrate``: a build a running studio can make is posted to it before the command line's
    own imports (``studio/early_handoff``), which then overlap the studio's build."""
    from narrate.errors import INTERRUPTED

    try:
        from narrate.studio.early_handoff import hand_early

        hand_early(sys.argv[1:])
        from narrate.cli import run
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    run()


if __name__ == "__main__":  # spawned worker processes import this module too: they import nothing more
    main()
