//! XMP written into a copy of a JPEG, for DAMs that read embedded metadata rather than sidecars.
//!
//! The packet goes in one APP1 segment (`http://ns.adobe.com/xap/1.0/\0` + the packet inside
//! `<?xpacket?>` wrappers), placed after the leading JFIF (APP0) and Exif (APP1) segments, as
//! Photoshop and exiftool place it. An existing XMP segment (and extended XMP) is replaced; every
//! other byte is copied as it is — the image data is never re-encoded. A packet that does not fit in
//! one segment (64 KiB) is refused rather than split.

/// The APP1 signature of standard XMP.
pub const XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// The APP1 signature of extended XMP (the continuation of a packet over 64 KiB).
pub const EXTENDED_XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
/// Largest segment payload: the 16-bit length counts itself.
const MAX_PAYLOAD: usize = 65_535 - 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("the file is not a jpeg (no start-of-image marker)")]
    NotJpeg,
    #[error("the jpeg is truncated or malformed at byte {0}")]
    Malformed(usize),
    #[error("the jpeg has no image data (no start-of-scan marker)")]
    NoScan,
    #[error("the xmp packet is {0} bytes; at most {max} fit in one jpeg segment", max = MAX_PAYLOAD - XMP_SIGNATURE.len() - WRAPPER_BYTES)]
    TooLarge(usize),
}

const PACKET_BEGIN: &str = "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n";
const PACKET_END: &str = "\n<?xpacket end=\"w\"?>";
const WRAPPER_BYTES: usize = PACKET_BEGIN.len() + PACKET_END.len();

/// One marker segment before the scan: its marker byte and its whole byte range.
struct Segment {
    marker: u8,
    start: usize,
    end: usize,
}

/// The segments from after SOI up to (not including) SOS, and where SOS starts.
fn segments(jpeg: &[u8]) -> Result<(Vec<Segment>, usize), EmbedError> {
    if jpeg.len() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
        return Err(EmbedError::NotJpeg);
    }
    let mut list = Vec::new();
    let mut at = 2;
    loop {
        let start = at;
        if jpeg.get(at) != Some(&0xFF) {
            return Err(EmbedError::Malformed(at));
        }
        // Fill bytes: any number of 0xFF before the marker byte.
        while jpeg.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *jpeg.get(at).ok_or(EmbedError::NoScan)?;
        at += 1;
        match marker {
            0xDA => return Ok((list, start)),
            0xD9 => return Err(EmbedError::NoScan),
            0x01 | 0xD0..=0xD7 => list.push(Segment { marker, start, end: at }),
            0x00 | 0xD8 => return Err(EmbedError::Malformed(start)),
            _ => {
                let (hi, lo) = match (jpeg.get(at), jpeg.get(at + 1)) {
                    (Some(hi), Some(lo)) => (*hi, *lo),
                    _ => return Err(EmbedError::Malformed(at)),
                };
                let length = usize::from(u16::from_be_bytes([hi, lo]));
                if length < 2 || at + length > jpeg.len() {
                    return Err(EmbedError::Malformed(at));
                }
                at += length;
                list.push(Segment { marker, start, end: at });
            }
        }
    }
}

fn payload<'a>(jpeg: &'a [u8], segment: &Segment) -> &'a [u8] {
    // Marker (2 bytes, fill bytes aside) and length (2 bytes) come first.
    let header = segment.end.saturating_sub(segment.start).min(4);
    jpeg.get(segment.start + header..segment.end).unwrap_or_default()
}

fn is_xmp(jpeg: &[u8], segment: &Segment) -> bool {
    segment.marker == 0xE1 && {
        let data = payload(jpeg, segment);
        data.starts_with(XMP_SIGNATURE) || data.starts_with(EXTENDED_XMP_SIGNATURE)
    }
}

/// The XMP packet (`<x:xmpmeta>…</x:xmpmeta>`, e.g. from [`super::xmp::to_xmp`]) in its wrappers.
pub fn packet(xmpmeta: &str) -> String {
    format!("{PACKET_BEGIN}{xmpmeta}{PACKET_END}")
}

/// A copy of `jpeg` carrying `xmpmeta` as its XMP.
pub fn embed(jpeg: &[u8], xmpmeta: &str) -> Result<Vec<u8>, EmbedError> {
    let (segments, scan) = segments(jpeg)?;
    let packet = packet(xmpmeta);
    let data_len = XMP_SIGNATURE.len() + packet.len();
    if data_len > MAX_PAYLOAD {
        return Err(EmbedError::TooLarge(xmpmeta.len()));
    }
    // After the leading APP0 (JFIF) and Exif APP1 segments.
    let leading = segments
        .iter()
        .take_while(|s| s.marker == 0xE0 || (s.marker == 0xE1 && payload(jpeg, s).starts_with(b"Exif\0")))
        .count();
    let mut out = Vec::with_capacity(jpeg.len() + data_len + 4);
    out.extend_from_slice(&jpeg[..2]);
    for (i, segment) in segments.iter().enumerate() {
        if i == leading {
            push_xmp(&mut out, &packet, data_len);
        }
        if !is_xmp(jpeg, segment) {
            out.extend_from_slice(&jpeg[segment.start..segment.end]);
        }
    }
    if leading == segments.len() {
        push_xmp(&mut out, &packet, data_len);
    }
    out.extend_from_slice(&jpeg[scan..]);
    Ok(out)
}

fn push_xmp(out: &mut Vec<u8>, packet: &str, data_len: usize) {
    out.extend_from_slice(&[0xFF, 0xE1]);
    // data_len ≤ MAX_PAYLOAD, so the length fits in 16 bits.
    let length = u16::try_from(data_len + 2).unwrap_or(u16::MAX);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(XMP_SIGNATURE);
    out.extend_from_slice(packet.as_bytes());
}

/// The XMP packets (without the signature) of a JPEG, for checks.
pub fn read_xmp(jpeg: &[u8]) -> Result<Vec<String>, EmbedError> {
    let (segments, _) = segments(jpeg)?;
    Ok(segments
        .iter()
        .filter(|s| s.marker == 0xE1 && payload(jpeg, s).starts_with(XMP_SIGNATURE))
        .map(|s| String::from_utf8_lossy(&payload(jpeg, s)[XMP_SIGNATURE.len()..]).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_jpeg() -> Vec<u8> {
        let image = image::RgbImage::from_fn(16, 8, |x, y| image::Rgb([(x * 16) as u8, (y * 32) as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&image).unwrap();
        out
    }

    #[test]
    fn the_copy_decodes_to_the_same_pixels_and_carries_the_packet() {
        let jpeg = small_jpeg();
        let copy = embed(&jpeg, "<x:xmpmeta>one</x:xmpmeta>").unwrap();
        let before = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        let after = image::load_from_memory(&copy).unwrap().to_rgb8();
        assert_eq!(before, after);
        let packets = read_xmp(&copy).unwrap();
        assert_eq!(packets.len(), 1);
        assert!(packets[0].contains("<x:xmpmeta>one</x:xmpmeta>") && packets[0].starts_with("<?xpacket begin"));
        assert!(read_xmp(&jpeg).unwrap().is_empty());
    }

    #[test]
    fn embedding_again_replaces_the_old_packet() {
        let once = embed(&small_jpeg(), "<x:xmpmeta>one</x:xmpmeta>").unwrap();
        let twice = embed(&once, "<x:xmpmeta>two</x:xmpmeta>").unwrap();
        let packets = read_xmp(&twice).unwrap();
        assert_eq!(packets.len(), 1);
        assert!(packets[0].contains("two"));
        assert_eq!(twice.len(), once.len());
    }

    #[test]
    fn the_packet_goes_after_jfif() {
        let jpeg = small_jpeg();
        let copy = embed(&jpeg, "<x:xmpmeta/>").unwrap();
        let (segments, _) = segments(&copy).unwrap();
        assert_eq!(segments[0].marker, 0xE0, "JFIF stays first");
        assert!(is_xmp(&copy, &segments[1]));
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(embed(b"GIF89a", "x"), Err(EmbedError::NotJpeg));
        let jpeg = small_jpeg();
        assert!(matches!(embed(&jpeg[..20], "x"), Err(EmbedError::Malformed(_) | EmbedError::NoScan)));
        assert!(matches!(embed(&[0xFF, 0xD8, 0xFF, 0xD9], "x"), Err(EmbedError::NoScan)));
        let huge = "x".repeat(70_000);
        assert!(matches!(embed(&jpeg, &huge), Err(EmbedError::TooLarge(_))));
        // Every prefix is refused or embedded, never a panic.
        for cut in 0..jpeg.len() {
            let _ = embed(&jpeg[..cut], "<x:xmpmeta/>");
        }
    }
}
