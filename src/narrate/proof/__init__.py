"""Proof-listening: the words a voice may get wrong, and a page to hear and fix them (``narrate proof``)."""

from __future__ import annotations

from narrate.proof.run import ProofReport, proof_project

__all__ = ["ProofReport", "proof_project"]
