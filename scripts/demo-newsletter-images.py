"""Draws the demo newsletter's two pictures (no stock images): run once, commit the files.

    .venv/bin/python scripts/demo-newsletter-images.py

- valeshire-map.png: a sketch map of the partnership's area, the county's seven districts
  and the city, each region the points nearest its town inside the county's outline;
- three-councils-one-service.svg: the three districts' benefits teams joined in one service.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

EDITION = Path(__file__).resolve().parent.parent / "content" / "newsletter" / "2011-autumn"
FONTS = Path("/usr/share/fonts/truetype/liberation2")

# (name, x, y) of each district's or the city's main town, on a 1200 × 760 canvas
TOWNS = [
    ("Marrowby", 300, 170), ("Thrimby and Ravensholt", 640, 150), ("Eastmere", 960, 250),
    ("Kestlewick", 250, 430), ("Castlebridge", 610, 380), ("Brackenvale", 930, 520),
    ("Fenholt", 420, 620), ("South Valeshire", 700, 610),
]
COLOURS = ["#cce2d8", "#d2e2f1", "#f3e5d0", "#e4d9ee", "#f6d7d2", "#d9ecf2", "#e8ecd2", "#f2e0ea"]


def draw_map(path: Path) -> None:
    width, height = 1200, 760
    ys, xs = np.mgrid[0:height, 0:width]
    # The county: a lumpy oval
    angle = np.arctan2(ys - height / 2, xs - width / 2)
    reach = 1 + 0.07 * np.sin(3 * angle) + 0.05 * np.cos(5 * angle + 1)
    inside = ((xs - width / 2) / 560) ** 2 + ((ys - height / 2) / 350) ** 2 <= reach ** 2
    towns = np.array([(x, y) for _, x, y in TOWNS])
    nearest = np.argmin((xs[..., None] - towns[:, 0]) ** 2 + (ys[..., None] - towns[:, 1]) ** 2, axis=-1)
    picture = np.full((height, width, 3), 255, dtype=np.uint8)
    for number, colour in enumerate(COLOURS):
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        picture[inside & (nearest == number)] = rgb
    edge = np.zeros_like(inside)
    edge[:-1, :] |= nearest[:-1, :] != nearest[1:, :]
    edge[:, :-1] |= nearest[:, :-1] != nearest[:, 1:]
    picture[inside & edge] = (255, 255, 255)
    border = inside ^ np.roll(inside, 2, axis=0) | inside ^ np.roll(inside, 2, axis=1)
    picture[border] = (18, 67, 109)
    image = Image.fromarray(picture)
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype(str(FONTS / "LiberationSans-Bold.ttf"), 30)
    for name, x, y in TOWNS:
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill="#12436d")
        draw.text((x, y + 16), name, font=bold, fill="#0b0c0c", anchor="ma")
    draw.text((28, 20), "VALESHIRE", font=ImageFont.truetype(str(FONTS / "LiberationSans-Bold.ttf"), 36),
              fill="#12436d")
    image.save(path, optimize=True)


SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 330" width="600" height="330"
     font-family="Liberation Sans, Arial, sans-serif" role="img">
  <title>Three district councils' benefits teams joined in one service hosted at South Valeshire</title>
  <rect width="600" height="330" fill="#ffffff"/>
{councils}
  <rect x="150" y="210" width="300" height="96" rx="10" fill="#12436d"/>
  <text x="300" y="244" text-anchor="middle" font-size="21" font-weight="700" fill="#ffffff">One revenues and benefits</text>
  <text x="300" y="270" text-anchor="middle" font-size="21" font-weight="700" fill="#ffffff">service</text>
  <text x="300" y="294" text-anchor="middle" font-size="16" fill="#ffffff">hosted at South Valeshire</text>
</svg>
"""


def draw_service(path: Path) -> None:
    councils = []
    for number, name in enumerate(("Brackenvale", "Fenholt", "South Valeshire")):
        x = 20 + number * 195
        councils.append(
            f'  <rect x="{x}" y="24" width="170" height="70" rx="8" fill="#cce2d8" stroke="#28a197" stroke-width="3"/>\n'
            f'  <text x="{x + 85}" y="56" text-anchor="middle" font-size="19" font-weight="700" fill="#0b0c0c">{name}</text>\n'
            f'  <text x="{x + 85}" y="80" text-anchor="middle" font-size="15" fill="#0b0c0c">district council</text>\n'
            f'  <path d="M{x + 85} 96 L{300 + (number - 1) * 70} 204" stroke="#28a197" stroke-width="5" fill="none"/>\n'
            f'  <path d="M{300 + (number - 1) * 70 - 9} 196 L{300 + (number - 1) * 70} 208 L{300 + (number - 1) * 70 + 6} 194 Z" fill="#28a197"/>'
        )
    path.write_text(SVG.format(councils="\n".join(councils)), encoding="utf-8")


if __name__ == "__main__":
    draw_map(EDITION / "valeshire-map.png")
    draw_service(EDITION / "three-councils-one-service.svg")
