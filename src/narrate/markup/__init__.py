"""The document model as XHTML, shared by the EPUB, the PDF and the read-along edition."""
