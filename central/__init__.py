"""Xianjie central: the reference platform server (FastAPI) the desktop clients sync with."""
