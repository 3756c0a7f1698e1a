"""Machine-readable paper phiếu: the layout shared by printer and reader, QR payloads, and (no Flask) image reading."""
