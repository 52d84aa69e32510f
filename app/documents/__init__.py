"""Documents: scanning, import, page editing, lossless PDFs, OCR, generated documents. No Qt."""
