//! The demo store's product pictures: one PNG per product, drawn from its
//! place in the catalogue (a shaded object on a tinted backdrop), so that the
//! pages carry images as a real store's do — the largest paint of a listing
//! is usually a product picture, often inside a widget Shelfwise holds.

use std::io::Write as _;

use flate2::Crc;
use flate2::write::ZlibEncoder;

/// The pictures' size in pixels: twice the cards' thumbnail box on a phone.
pub const WIDTH: usize = 360;
/// See [`WIDTH`].
pub const HEIGHT: usize = 240;

/// The categories' colours, as `www/assets/style.css` gives them (`.c0` …).
const COLOURS: [[u8; 3]; 12] = [
    [0xc0, 0x57, 0x3e],
    [0x3e, 0x6e, 0xc0],
    [0x7a, 0x5b, 0xc0],
    [0x3e, 0x9c, 0x82],
    [0xb0, 0x8a, 0x2e],
    [0xc0, 0x3e, 0x7a],
    [0x5b, 0x8f, 0xa8],
    [0xd0, 0x8c, 0x3a],
    [0x4f, 0x6b, 0x3a],
    [0xd0, 0x50, 0x3a],
    [0x3a, 0x8a, 0x4f],
    [0x8a, 0x8f, 0x99],
];

/// The PNG of the `place`-th product (from 0) of category `category`.
pub fn product_png(category: usize, place: usize) -> Vec<u8> {
    let base = COLOURS[category % COLOURS.len()].map(f32::from);
    // The object's shape and tone vary with its place; the backdrop is the
    // category's colour, faded.
    let shape = place % 3;
    let tone = 0.75 + 0.1 * (place % 4) as f32;
    let (cx, cy) = (WIDTH as f32 / 2.0, HEIGHT as f32 * 0.46);
    let size = HEIGHT as f32 * (0.28 + 0.02 * (place % 5) as f32);
    let mut rows = Vec::with_capacity(HEIGHT * (1 + 3 * WIDTH));
    for y in 0..HEIGHT {
        rows.push(0);
        for x in 0..WIDTH {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            // Backdrop: the colour faded towards white, lighter at the top,
            // with the object's soft shadow on the floor.
            let fade = 0.82 + 0.1 * (1.0 - fy / HEIGHT as f32);
            let mut pixel = base.map(|c| c + (255.0 - c) * fade);
            let (sx, sy) = (
                (fx - cx) / (size * 1.1),
                (fy - (cy + size * 1.02)) / (size * 0.22),
            );
            let shadow = (1.0 - (sx * sx + sy * sy)).clamp(0.0, 1.0);
            pixel = pixel.map(|c| c * (1.0 - 0.25 * shadow));
            // The object: a sphere, a rounded box or a capsule, lit from the
            // upper left.
            let (dx, dy) = ((fx - cx) / size, (fy - cy) / size);
            let distance = match shape {
                0 => (dx * dx + dy * dy).sqrt() - 1.0,
                1 => rounded_box(dx, dy, 0.95, 0.8, 0.25),
                _ => rounded_box(dx, dy, 0.55, 0.95, 0.55),
            };
            let cover = (0.5 - distance * size).clamp(0.0, 1.0);
            if cover > 0.0 {
                let light = (1.0 - 0.35 * (dx + dy + 1.0) / 2.0).clamp(0.4, 1.0);
                let shine = (1.0 - ((dx + 0.35).powi(2) + (dy + 0.4).powi(2)) * 4.0)
                    .max(0.0)
                    .powi(2);
                let object = base.map(|c| (c * tone * light + 255.0 * 0.35 * shine).min(255.0));
                for (p, o) in pixel.iter_mut().zip(object) {
                    *p += (o - *p) * cover;
                }
            }
            rows.extend(pixel.map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    encode(&rows)
}

/// The signed distance (in units of the object's size) from `(x, y)` to a
/// box of half-sides `w`, `h` with corners of radius `r`.
fn rounded_box(x: f32, y: f32, w: f32, h: f32, r: f32) -> f32 {
    let (qx, qy) = (x.abs() - w + r, y.abs() - h + r);
    let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
    outside + qx.max(qy).min(0.0) - r
}

/// An 8-bit RGB PNG of [`WIDTH`] × [`HEIGHT`] from `rows` (each a filter
/// byte, 0, then its pixels); each row is stored "up"-filtered.
fn encode(rows: &[u8]) -> Vec<u8> {
    let stride = 1 + 3 * WIDTH;
    let mut filtered = rows.to_vec();
    for y in (1..HEIGHT).rev() {
        filtered[y * stride] = 2;
        for i in 1..stride {
            filtered[y * stride + i] =
                rows[y * stride + i].wrapping_sub(rows[(y - 1) * stride + i]);
        }
    }
    let mut zlib = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zlib.write_all(&filtered).expect("writing to memory");
    let data = zlib.finish().expect("writing to memory");

    let mut header = Vec::with_capacity(13);
    header.extend((WIDTH as u32).to_be_bytes());
    header.extend((HEIGHT as u32).to_be_bytes());
    // 8 bits per channel, RGB, deflate, adaptive filters, not interlaced.
    header.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(b"IHDR", &header), (b"IDAT", &data), (b"IEND", &Vec::new())] {
        png.extend((body.len() as u32).to_be_bytes());
        let mut crc = Crc::new();
        crc.update(kind);
        crc.update(body);
        png.extend(kind);
        png.extend(body);
        png.extend(crc.sum().to_be_bytes());
    }
    png
}
