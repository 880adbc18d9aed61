"""A QR code as inline SVG (passes, G9; slips later): crisp when printed or shown on a phone, no image file."""
from __future__ import annotations

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data: str, size_px: int = 200) -> Markup:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size_px}" '
                  f'height="{size_px}" shape-rendering="crispEdges" role="img"><rect width="{n}" height="{n}" '
                  f'fill="#fff"/><path d="{path}" fill="#000"/></svg>')
