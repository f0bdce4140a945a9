//! Evidence photos: removes where a photo was taken (EXIF GPS, XMP) from JPEGs, keeping orientation.
//!
//! A shopper's photo can carry the coordinates of wherever it was taken, their home included.
//! Dropping the whole EXIF block would also drop the orientation tag and show phone photos
//! sideways, so only the GPS directory is emptied (and its values zeroed); XMP, which can
//! repeat the location, is removed. A file that does not parse is refused by the caller
//! rather than stored as sent: we could not tell whether it still says where it was taken.
//!
//! Every offset comes from the upload, so all arithmetic is checked and every read is a
//! `get`: a hostile file gives `None`, never a panic.

/// The photo without location data, or `None` when it is not a JPEG we can read safely:
/// segments that run past the end, a length under 2, no frame header before the image
/// data, no image data at all, or an EXIF block whose directories do not parse.
pub fn strip_location(jpeg: &[u8]) -> Option<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(jpeg.len());
    out.extend_from_slice(&jpeg[..2]);
    let mut i = 2;
    // A scan without a frame header before it is no picture any viewer can show.
    let mut frame = false;
    loop {
        if *jpeg.get(i)? != 0xFF {
            return None;
        }
        // Any marker may be preceded by 0xFF fill bytes; they carry nothing and are dropped.
        let mut at = i + 1;
        let marker = loop {
            match *jpeg.get(at)? {
                0xFF => at += 1,
                m => break m,
            }
        };
        i = at - 1;
        match marker {
            // Start of scan: the rest is image data, copied as is.
            0xDA if frame => {
                out.extend_from_slice(jpeg.get(i..)?);
                return Some(out);
            }
            // End of image before any picture, a scan without a frame, a second start of
            // image, or a stuffed zero outside image data: not a photo.
            0xDA | 0xD9 | 0xD8 | 0x00 => return None,
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(jpeg.get(i..i + 2)?);
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
        // The length counts its own two bytes: less is a broken file (and was a panic here).
        if len < 2 {
            return None;
        }
        let end = i.checked_add(2 + len)?;
        let segment = jpeg.get(i..end)?;
        let data = segment.get(4..)?;
        frame |= is_frame_header(marker);
        if marker == 0xE1 && data.starts_with(b"http://ns.adobe.com/xap/1.0/") {
            // XMP: dropped whole.
        } else if marker == 0xE1 && data.starts_with(b"Exif\0\0") {
            let mut seg = segment.to_vec();
            empty_gps(seg.get_mut(10..)?)?;
            out.extend_from_slice(&seg);
        } else {
            out.extend_from_slice(segment);
        }
        i = end;
    }
}

/// SOF0–SOF15, which describe the picture; C4 (Huffman tables), C8 and CC are not frames.
fn is_frame_header(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// The tag of IFD0's pointer to the GPS directory.
const GPS_IFD: usize = 0x8825;

/// Reads TIFF numbers in the file's byte order; `None` past the end of the block.
struct Tiff<'a> {
    b: &'a mut [u8],
    little: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<usize> {
        let s = self.b.get(at..at.checked_add(2)?)?;
        let a = [*s.first()?, *s.get(1)?];
        let v = if self.little {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        };
        Some(usize::from(v))
    }

    fn u32(&self, at: usize) -> Option<usize> {
        let s = self.b.get(at..at.checked_add(4)?)?;
        let a = [*s.first()?, *s.get(1)?, *s.get(2)?, *s.get(3)?];
        let v = if self.little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        };
        usize::try_from(v).ok()
    }

    fn zero(&mut self, from: usize, len: usize) -> Option<()> {
        self.b.get_mut(from..from.checked_add(len)?)?.fill(0);
        Some(())
    }
}

/// Where entry `e` of the directory at `dir` starts: after the 2-byte count, 12 bytes each.
fn entry(dir: usize, e: usize) -> Option<usize> {
    dir.checked_add(2)?.checked_add(e.checked_mul(12)?)
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
    // Every entry must be readable: a directory that runs past the block is garbled, and a
    // GPS pointer could hide in the part we did not read.
    let mut gps = None;
    for e in 0..entries {
        let at = entry(ifd0, e)?;
        if t.u16(at)? == GPS_IFD {
            gps = Some(at);
        }
    }
    let Some(pointer) = gps else { return Some(()) };
    let dir = t.u32(pointer.checked_add(8)?)?;
    let n = t.u16(dir)?;
    for e in 0..n {
        let at = entry(dir, e)?;
        let size: usize = match t.u16(at.checked_add(2)?)? {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 => 4,
            5 | 10 | 12 => 8,
            _ => 0,
        };
        let total = size.checked_mul(t.u32(at.checked_add(4)?)?)?;
        if total > 4 {
            let off = t.u32(at.checked_add(8)?)?;
            t.zero(off, total)?;
        }
    }
    // No entries, and a zero "next directory" where the first entry was.
    t.zero(dir, n.checked_mul(12)?.checked_add(6)?)
}

#[cfg(test)]
mod tests;
