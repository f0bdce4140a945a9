use super::*;

/// A little-endian EXIF block: IFD0 holds Orientation = 6 and a GPS pointer; the GPS
/// directory holds GPSLatitudeRef "N" and GPSLatitude (3 rationals stored out of line).
fn exif_tiff() -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"II\x2a\x00");
    t.extend_from_slice(&8u32.to_le_bytes()); // IFD0 at 8
    // IFD0: 2 entries
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&[6, 0, 0, 0]);
    t.extend_from_slice(&0x8825u16.to_le_bytes()); // GPS IFD pointer
    t.extend_from_slice(&4u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&38u32.to_le_bytes()); // GPS IFD at 38
    t.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    assert_eq!(t.len(), 38);
    // GPS IFD: 2 entries
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes()); // GPSLatitudeRef, ASCII "N\0"
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&2u32.to_le_bytes());
    t.extend_from_slice(b"N\0\0\0");
    t.extend_from_slice(&2u16.to_le_bytes()); // GPSLatitude, 3 RATIONAL at 68
    t.extend_from_slice(&5u16.to_le_bytes());
    t.extend_from_slice(&3u32.to_le_bytes());
    t.extend_from_slice(&68u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 68);
    for (num, den) in [(31u32, 1u32), (14, 1), (2777, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    t
}

fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(data);
    s
}

/// A baseline frame header (SOF0): 8-bit, 1×1 pixels, one component.
fn frame() -> Vec<u8> {
    segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0])
}

fn photo() -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_tiff());
    let mut j = vec![0xFF, 0xD8];
    j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(segment(0xE1, &exif));
    j.extend(segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude 31,14.2N</x:xmpmeta>",
    ));
    j.extend(frame());
    j.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0x56, 0xFF, 0xD9]);
    j
}

#[test]
fn gps_is_emptied_and_xmp_dropped_while_orientation_and_image_data_stay() {
    let before = photo();
    let after = strip_location(&before).expect("a readable JPEG");
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(!has(&after, b"xmpmeta"), "XMP removed");
    assert!(
        !has(&after, &2777u32.to_le_bytes()),
        "latitude seconds zeroed"
    );
    assert!(!has(&after, b"N\0\0\0"), "latitude reference gone");
    // Orientation entry (tag 0x0112, value 6) is still there.
    assert!(has(
        &after,
        &[0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06]
    ));
    assert!(
        after.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0x56, 0xFF, 0xD9]),
        "scan data untouched"
    );
    // The EXIF segment keeps its length, so every offset in it stays valid.
    assert_eq!(
        after.len(),
        before.len()
            - segment(
                0xE1,
                b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude 31,14.2N</x:xmpmeta>"
            )
            .len()
    );
}

#[test]
fn a_photo_without_exif_is_returned_unchanged() {
    let mut j = vec![0xFF, 0xD8];
    j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(frame());
    j.extend([0xFF, 0xDA, 0x00, 0x02, 0xAA, 0xFF, 0xD9]);
    assert_eq!(strip_location(&j), Some(j.clone()));
}

#[test]
fn malformed_files_are_not_touched() {
    assert_eq!(strip_location(b"\x89PNG"), None);
    assert_eq!(
        strip_location(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J']),
        None,
        "truncated segment"
    );
    let mut bad = photo();
    bad[30] = b'X'; // the TIFF byte order mark
    assert_eq!(strip_location(&bad), None);
}

/// The 22-byte "JPEG": a JFIF header and an end marker, no picture.
const BROKEN_22: [u8; 22] = [
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

#[test]
fn a_file_without_a_picture_or_with_impossible_lengths_is_refused_without_panicking() {
    assert_eq!(strip_location(&BROKEN_22), None, "no frame, no scan");
    // A segment length of 0 or 1 (less than its own two bytes) used to panic.
    for len in [0u8, 1] {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, len];
        j.extend([0xFF, 0xD9]);
        assert_eq!(strip_location(&j), None, "length {len}");
    }
    // Image data with no frame header before it.
    let mut j = vec![0xFF, 0xD8];
    j.extend([0xFF, 0xDA, 0x00, 0x02, 0xAA, 0xFF, 0xD9]);
    assert_eq!(strip_location(&j), None);
    assert_eq!(strip_location(&[0xFF, 0xD8]), None, "nothing after SOI");
    assert_eq!(strip_location(&[0xFF, 0xD8, 0xFF]), None);
    assert_eq!(strip_location(&[0xFF, 0xD8, 0xFF, 0xFF, 0xFF]), None);
}

#[test]
fn fill_bytes_before_a_marker_are_allowed() {
    let mut j = vec![0xFF, 0xD8, 0xFF];
    j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(frame());
    j.extend([0xFF, 0xDA, 0x00, 0x02, 0xAA, 0xFF, 0xD9]);
    let out = strip_location(&j).expect("readable");
    assert_eq!(out.len(), j.len() - 1, "the one fill byte is dropped");
}

/// A change to a TIFF block.
type Edit = fn(&mut Vec<u8>);

/// The photo with its EXIF TIFF block changed by `edit` (offsets are within the TIFF block).
fn with_tiff(edit: Edit) -> Vec<u8> {
    let mut tiff = exif_tiff();
    edit(&mut tiff);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff);
    let mut j = vec![0xFF, 0xD8];
    j.extend(segment(0xE1, &exif));
    j.extend(frame());
    j.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0xD9]);
    j
}

#[test]
fn garbled_or_truncated_exif_is_refused() {
    assert!(
        strip_location(&with_tiff(|_| {})).is_some(),
        "the control parses"
    );
    let cases: [(&str, Edit); 6] = [
        ("IFD0 past the end", |t| {
            t[4..8].copy_from_slice(&u32::MAX.to_le_bytes())
        }),
        ("IFD0 entries past the end", |t| {
            t[8..10].copy_from_slice(&900u16.to_le_bytes())
        }),
        ("GPS directory past the end", |t| {
            t[30..34].copy_from_slice(&70_000u32.to_le_bytes())
        }),
        ("GPS values past the end", |t| {
            t[60..64].copy_from_slice(&u32::MAX.to_le_bytes())
        }),
        ("GPS value count overflowing", |t| {
            t[56..60].copy_from_slice(&u32::MAX.to_le_bytes())
        }),
        ("cut inside the GPS directory", |t| t.truncate(50)),
    ];
    for (what, edit) in cases {
        assert_eq!(strip_location(&with_tiff(edit)), None, "{what}");
    }
    // An EXIF segment whose length runs past the end of the file.
    let mut cut = photo();
    cut.truncate(40);
    assert_eq!(strip_location(&cut), None);
}
