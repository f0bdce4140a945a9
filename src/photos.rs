//! Evidence photos: removes where a photo was taken (EXIF GPS, XMP) from JPEGs, keeping orientation.
//!
//! A shopper's photo can carry the coordinates of wherever it was taken, their home included.
//! Dropping the whole EXIF block would also drop the orientation tag and show phone photos
//! sideways, so only the GPS directory is emptied (and its values zeroed); XMP, which can
//! repeat the location, is removed. Anything that does not parse is left as it was.

/// The photo without location data, or `None` when it is not a JPEG we can read safely.
pub fn strip_location(jpeg: &[u8]) -> Option<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(jpeg.len());
    out.extend_from_slice(&jpeg[..2]);
    let mut i = 2;
    loop {
        let marker = *jpeg.get(i + 1)?;
        if jpeg[i] != 0xFF {
            return None;
        }
        // Start of scan or end of image: the rest is image data, copied as is.
        if marker == 0xDA || marker == 0xD9 {
            out.extend_from_slice(&jpeg[i..]);
            return Some(out);
        }
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            out.extend_from_slice(&jpeg[i..i + 2]);
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
        let end = i + 2 + len;
        let segment = jpeg.get(i..end)?;
        let data = &segment[4..];
        if marker == 0xE1 && data.starts_with(b"http://ns.adobe.com/xap/1.0/") {
            // XMP: dropped whole.
        } else if marker == 0xE1 && data.starts_with(b"Exif\0\0") {
            let mut seg = segment.to_vec();
            empty_gps(&mut seg[10..])?;
            out.extend_from_slice(&seg);
        } else {
            out.extend_from_slice(segment);
        }
        i = end;
    }
}

/// Reads TIFF numbers in the file's byte order.
struct Tiff<'a> {
    b: &'a mut [u8],
    little: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<usize> {
        let s = self.b.get(at..at + 2)?;
        let v = if self.little {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        };
        Some(usize::from(v))
    }

    fn u32(&self, at: usize) -> Option<usize> {
        let s = self.b.get(at..at + 4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(
            (if self.little {
                u32::from_le_bytes(a)
            } else {
                u32::from_be_bytes(a)
            }) as usize,
        )
    }

    fn zero(&mut self, from: usize, len: usize) -> Option<()> {
        self.b.get_mut(from..from.checked_add(len)?)?.fill(0);
        Some(())
    }
}

/// Empties the GPS directory of a TIFF block in place; `None` if the block is malformed.
fn empty_gps(tiff: &mut [u8]) -> Option<()> {
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let mut t = Tiff { b: tiff, little };
    let ifd0 = t.u32(4)?;
    let entries = t.u16(ifd0)?;
    let gps = (0..entries)
        .map(|e| ifd0 + 2 + 12 * e)
        .find(|at| t.u16(*at) == Some(0x8825));
    let Some(pointer) = gps else { return Some(()) };
    let dir = t.u32(pointer + 8)?;
    let n = t.u16(dir)?;
    for e in 0..n {
        let at = dir + 2 + 12 * e;
        let size = match t.u16(at + 2)? {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 => 4,
            5 | 10 | 12 => 8,
            _ => 0,
        };
        let total = size * t.u32(at + 4)?;
        if total > 4 {
            let off = t.u32(at + 8)?;
            t.zero(off, total)?;
        }
    }
    // No entries, and a zero "next directory" where the first entry was.
    t.zero(dir, 2 + 12 * n + 4)
}

#[cfg(test)]
mod tests;
