//! A bounded reader of the EXIF TIFF structure (what follows `Exif\0\0` in a JPEG's APP1, or a
//! PNG's `eXIf` / WebP's `EXIF` chunk): IFD0, the Exif IFD and the GPS IFD, a dozen tags. Every
//! read is checked against the chunk; offsets that point outside it, loops and absurd counts
//! give "absent", never a panic.

use super::Camera;

const MAX_STRING: usize = 128;

#[derive(Clone, Copy)]
enum Endian {
    Little,
    Big,
}

struct Tiff<'a> {
    data: &'a [u8],
    endian: Endian,
}

/// One IFD entry: its type, count and where its value lies (inline or at an offset).
#[derive(Clone, Copy)]
struct Entry {
    kind: u16,
    count: u32,
    /// Offset of the value within the TIFF data.
    at: usize,
}

impl<'a> Tiff<'a> {
    fn new(data: &'a [u8]) -> Option<Tiff<'a>> {
        let endian = match data.get(..4)? {
            [0x49, 0x49, 42, 0] => Endian::Little,
            [0x4D, 0x4D, 0, 42] => Endian::Big,
            _ => return None,
        };
        Some(Tiff { data, endian })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self.endian {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self.endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        })
    }

    fn ifd0(&self) -> Option<usize> {
        usize::try_from(self.u32_at(4)?).ok()
    }

    /// Finds `tag` in the IFD at `ifd`.
    fn find(&self, ifd: usize, tag: u16) -> Option<Entry> {
        let count = self.u16_at(ifd)?;
        for i in 0..usize::from(count) {
            let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
            let found = self.u16_at(entry)?;
            if found != tag {
                continue;
            }
            let kind = self.u16_at(entry + 2)?;
            let count = self.u32_at(entry + 4)?;
            let unit: usize = match kind {
                1 | 2 | 6 | 7 => 1,
                3 | 8 => 2,
                4 | 9 => 4,
                5 | 10 => 8,
                _ => return None,
            };
            let size = unit.checked_mul(usize::try_from(count).ok()?)?;
            let at = if size <= 4 { entry + 8 } else { usize::try_from(self.u32_at(entry + 8)?).ok()? };
            // The whole value must lie inside the chunk.
            if at.checked_add(size)? > self.data.len() {
                return None;
            }
            return Some(Entry { kind, count, at });
        }
        None
    }

    fn pointer(&self, ifd: usize, tag: u16) -> Option<usize> {
        let e = self.find(ifd, tag)?;
        let value = self.uint(e, 0)?;
        let at = usize::try_from(value).ok()?;
        // An IFD pointing at itself or at IFD0 would be read twice, which is harmless, but one
        // outside the chunk is not an IFD.
        (at < self.data.len()).then_some(at)
    }

    /// The `index`-th value of an unsigned integer entry (BYTE, SHORT or LONG).
    fn uint(&self, e: Entry, index: u32) -> Option<u32> {
        if index >= e.count {
            return None;
        }
        let i = usize::try_from(index).ok()?;
        match e.kind {
            1 | 7 => self.data.get(e.at + i).map(|&b| u32::from(b)),
            3 => self.u16_at(e.at + 2 * i).map(u32::from),
            4 => self.u32_at(e.at + 4 * i),
            _ => None,
        }
    }

    /// The `index`-th value of a RATIONAL or SRATIONAL entry, when its denominator is not zero.
    fn rational(&self, e: Entry, index: u32) -> Option<(f64, i64, i64)> {
        if index >= e.count {
            return None;
        }
        let at = e.at + 8 * usize::try_from(index).ok()?;
        let (n, d) = match e.kind {
            5 => (i64::from(self.u32_at(at)?), i64::from(self.u32_at(at + 4)?)),
            10 => (i64::from(self.u32_at(at)? as i32), i64::from(self.u32_at(at + 4)? as i32)),
            _ => return None,
        };
        if d == 0 {
            return None;
        }
        let value = n as f64 / d as f64;
        value.is_finite().then_some((value, n, d))
    }

    fn ascii(&self, e: Entry) -> Option<String> {
        if e.kind != 2 {
            return None;
        }
        let bytes = self.data.get(e.at..e.at + usize::try_from(e.count).ok()?)?;
        let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
        let text: String =
            String::from_utf8_lossy(bytes).chars().filter(|c| !c.is_control()).take(MAX_STRING).collect();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    fn text(&self, ifd: Option<usize>, tag: u16) -> Option<String> {
        self.ascii(self.find(ifd?, tag)?)
    }
}

const MAKE: u16 = 0x010F;
const MODEL: u16 = 0x0110;
const ORIENTATION: u16 = 0x0112;
const EXIF_IFD: u16 = 0x8769;
const GPS_IFD: u16 = 0x8825;
const EXPOSURE_TIME: u16 = 0x829A;
const F_NUMBER: u16 = 0x829D;
const ISO: u16 = 0x8827;
const DATE_TIME_ORIGINAL: u16 = 0x9003;
const OFFSET_TIME_ORIGINAL: u16 = 0x9011;
const FOCAL_LENGTH: u16 = 0x920A;
const LENS_MODEL: u16 = 0xA434;

/// The orientation tag of IFD0 (1-8), or `None` when absent or out of range.
pub fn orientation(tiff: &[u8]) -> Option<u8> {
    let t = Tiff::new(tiff)?;
    let value = t.uint(t.find(t.ifd0()?, ORIENTATION)?, 0)?;
    u8::try_from(value).ok().filter(|v| (1..=8).contains(v))
}

/// The camera facts found in an EXIF TIFF chunk; every field absent when unreadable.
pub fn camera(tiff: &[u8]) -> Camera {
    let Some(t) = Tiff::new(tiff) else { return Camera::default() };
    let ifd0 = t.ifd0().filter(|&at| at < tiff.len());
    let exif = ifd0.and_then(|ifd| t.pointer(ifd, EXIF_IFD));
    let gps = ifd0.and_then(|ifd| t.pointer(ifd, GPS_IFD));

    let date_time_original = t.text(exif, DATE_TIME_ORIGINAL);
    let offset = t.text(exif, OFFSET_TIME_ORIGINAL);
    let date_time_original_iso = date_time_original.as_deref().and_then(|d| iso_8601(d, offset.as_deref()));
    let exposure = exif.and_then(|ifd| t.find(ifd, EXPOSURE_TIME)).and_then(|e| t.rational(e, 0)).filter(|r| r.0 > 0.0);
    let positive = |tag: u16| {
        exif.and_then(|ifd| t.find(ifd, tag)).and_then(|e| t.rational(e, 0)).map(|r| r.0).filter(|v| *v > 0.0)
    };
    let iso = exif.and_then(|ifd| t.find(ifd, ISO)).and_then(|e| t.uint(e, 0)).filter(|v| *v > 0);
    Camera {
        date_time_original,
        date_time_original_iso,
        make: t.text(ifd0, MAKE),
        model: t.text(ifd0, MODEL),
        lens_model: t.text(exif, LENS_MODEL),
        exposure_time: exposure.map(|r| r.0),
        exposure_time_text: exposure.map(|(value, n, d)| exposure_text(value, n, d)),
        f_number: positive(F_NUMBER),
        iso,
        focal_length: positive(FOCAL_LENGTH),
        gps_latitude: gps.and_then(|ifd| coordinate(&t, ifd, 1, 2, 'S', 90.0)),
        gps_longitude: gps.and_then(|ifd| coordinate(&t, ifd, 3, 4, 'W', 180.0)),
    }
}

/// `1/120` for exposures under a second (as cameras print them), else seconds (`2.5`).
fn exposure_text(value: f64, n: i64, d: i64) -> String {
    if value < 1.0 && n > 0 {
        if n == 1 {
            return format!("1/{d}");
        }
        return format!("1/{}", (1.0 / value).round());
    }
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// Degrees, minutes, seconds and a reference letter to signed decimal degrees.
fn coordinate(t: &Tiff<'_>, ifd: usize, ref_tag: u16, tag: u16, negative: char, max: f64) -> Option<f64> {
    let e = t.find(ifd, tag)?;
    if e.count < 3 {
        return None;
    }
    let d = t.rational(e, 0)?.0;
    let m = t.rational(e, 1)?.0;
    let s = t.rational(e, 2)?.0;
    let mut value = d + m / 60.0 + s / 3600.0;
    let reference = t.text(Some(ifd), ref_tag)?;
    if reference.starts_with(negative) {
        value = -value;
    }
    (value.is_finite() && value.abs() <= max).then_some(value)
}

/// EXIF's `YYYY:MM:DD HH:MM:SS` (and an optional `+HH:MM` offset) as ISO 8601, when valid.
pub(crate) fn iso_8601(exif: &str, offset: Option<&str>) -> Option<String> {
    let b = exif.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let s = exif.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let separators = [b[4], b[7], b[10], b[13], b[16]];
    if !matches!(separators[..2], [b':' | b'-', b':' | b'-'])
        || !matches!(separators[2], b' ' | b'T')
        || separators[3] != b':'
        || separators[4] != b':'
    {
        return None;
    }
    if year == 0
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if let Some(offset) = offset.filter(|o| valid_offset(o)) {
        out.push_str(offset);
    }
    Some(out)
}

fn valid_offset(o: &str) -> bool {
    let b = o.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF with IFD0 (make, model, orientation, exif and gps pointers), an Exif
    /// IFD and a GPS IFD, built by hand.
    pub(crate) fn sample() -> Vec<u8> {
        struct Ifd(Vec<(u16, u16, u32, Vec<u8>)>);
        fn rational(n: u32, d: u32) -> Vec<u8> {
            [n.to_le_bytes(), d.to_le_bytes()].concat()
        }
        fn ascii(s: &str) -> (u16, u32, Vec<u8>) {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            (2, v.len() as u32, v)
        }
        // Layout: header (8), IFD0, Exif IFD, GPS IFD, then the data area.
        let make = ascii("Apple");
        let model = ascii("iPhone 12");
        let date = ascii("2021:06:05 14:03:59");
        let offset = ascii("+02:00");
        let lens = ascii("iPhone 12 back camera 4.2mm f/1.6");
        let ifd0 = Ifd(vec![
            (MAKE, make.0, make.1, make.2),
            (MODEL, model.0, model.1, model.2),
            (ORIENTATION, 3, 1, 6u16.to_le_bytes().to_vec()),
            (EXIF_IFD, 4, 1, vec![]),
            (GPS_IFD, 4, 1, vec![]),
        ]);
        let exif = Ifd(vec![
            (EXPOSURE_TIME, 5, 1, rational(1, 120)),
            (F_NUMBER, 5, 1, rational(16, 10)),
            (ISO, 3, 1, 32u16.to_le_bytes().to_vec()),
            (DATE_TIME_ORIGINAL, date.0, date.1, date.2),
            (OFFSET_TIME_ORIGINAL, offset.0, offset.1, offset.2),
            (FOCAL_LENGTH, 5, 1, rational(42, 10)),
            (LENS_MODEL, lens.0, lens.1, lens.2),
        ]);
        let gps = Ifd(vec![
            (1, 2, 2, b"N\0".to_vec()),
            (2, 5, 3, [rational(48, 1), rational(51, 1), rational(2940, 100)].concat()),
            (3, 2, 2, b"W\0".to_vec()),
            (4, 5, 3, [rational(2, 1), rational(17, 1), rational(4000, 100)].concat()),
        ]);
        let size = |ifd: &Ifd| 2 + 12 * ifd.0.len() + 4;
        let ifd0_at = 8;
        let exif_at = ifd0_at + size(&ifd0);
        let gps_at = exif_at + size(&exif);
        let mut data_at = gps_at + size(&gps);
        let mut out = b"II\x2a\x00".to_vec();
        out.extend_from_slice(&(ifd0_at as u32).to_le_bytes());
        let mut data = Vec::new();
        for (ifd, pointers) in [(&ifd0, true), (&exif, false), (&gps, false)] {
            out.extend_from_slice(&(ifd.0.len() as u16).to_le_bytes());
            for (tag, kind, count, value) in &ifd.0 {
                out.extend_from_slice(&tag.to_le_bytes());
                out.extend_from_slice(&kind.to_le_bytes());
                out.extend_from_slice(&count.to_le_bytes());
                let mut field = value.clone();
                if pointers && *tag == EXIF_IFD {
                    field = (exif_at as u32).to_le_bytes().to_vec();
                } else if pointers && *tag == GPS_IFD {
                    field = (gps_at as u32).to_le_bytes().to_vec();
                }
                if field.len() <= 4 {
                    field.resize(4, 0);
                    out.extend_from_slice(&field);
                } else {
                    out.extend_from_slice(&(data_at as u32).to_le_bytes());
                    data_at += field.len();
                    data.extend_from_slice(&field);
                }
            }
            out.extend_from_slice(&0u32.to_le_bytes());
        }
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn reads_the_camera_facts() {
        let tiff = sample();
        assert_eq!(orientation(&tiff), Some(6));
        let c = camera(&tiff);
        assert_eq!(c.make.as_deref(), Some("Apple"));
        assert_eq!(c.model.as_deref(), Some("iPhone 12"));
        assert_eq!(c.lens_model.as_deref(), Some("iPhone 12 back camera 4.2mm f/1.6"));
        assert_eq!(c.date_time_original.as_deref(), Some("2021:06:05 14:03:59"));
        assert_eq!(c.date_time_original_iso.as_deref(), Some("2021-06-05T14:03:59+02:00"));
        assert_eq!(c.exposure_time_text.as_deref(), Some("1/120"));
        assert!((c.exposure_time.unwrap() - 1.0 / 120.0).abs() < 1e-12);
        assert_eq!(c.f_number, Some(1.6));
        assert_eq!(c.iso, Some(32));
        assert_eq!(c.focal_length, Some(4.2));
        assert!((c.gps_latitude.unwrap() - (48.0 + 51.0 / 60.0 + 29.4 / 3600.0)).abs() < 1e-9);
        assert!((c.gps_longitude.unwrap() + (2.0 + 17.0 / 60.0 + 40.0 / 3600.0)).abs() < 1e-9);
    }

    #[test]
    fn iso_8601_only_for_valid_dates() {
        assert_eq!(iso_8601("2021:06:05 14:03:59", None).as_deref(), Some("2021-06-05T14:03:59"));
        assert_eq!(iso_8601("2020:02:29 00:00:00", Some("-05:00")).as_deref(), Some("2020-02-29T00:00:00-05:00"));
        assert_eq!(iso_8601("2021:02:29 00:00:00", None), None);
        assert_eq!(iso_8601("0000:00:00 00:00:00", None), None);
        assert_eq!(iso_8601("    :  :     :  :  ", None), None);
        assert_eq!(iso_8601("2021:06:05", None), None);
        assert_eq!(iso_8601("2021:06:05 24:00:00", None), None);
        assert_eq!(iso_8601("2021:06:05 14:03:59", Some("bogus")).as_deref(), Some("2021-06-05T14:03:59"));
    }

    /// Truncated, bit-flipped and random chunks: never a panic, and what is read stays in range.
    #[test]
    fn garbage_never_panics() {
        let tiff = sample();
        for cut in 0..tiff.len() {
            let c = camera(&tiff[..cut]);
            let _ = orientation(&tiff[..cut]);
            if let Some(lat) = c.gps_latitude {
                assert!(lat.abs() <= 90.0);
            }
        }
        // A small xorshift generator: the same garbage on every run.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2000 {
            let mut broken = tiff.clone();
            for _ in 0..1 + next() % 8 {
                let i = (next() % broken.len() as u64) as usize;
                broken[i] = next() as u8;
            }
            let c = camera(&broken);
            assert!(orientation(&broken).is_none_or(|o| (1..=8).contains(&o)));
            for s in [&c.make, &c.model, &c.lens_model, &c.date_time_original] {
                assert!(s.as_ref().is_none_or(|s| s.chars().count() <= MAX_STRING));
            }
        }
        for len in [0usize, 1, 4, 8, 16, 64, 512, 4096] {
            let random: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = camera(&random);
            let mut with_header = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
            with_header.extend_from_slice(&random);
            let _ = camera(&with_header);
            let _ = orientation(&with_header);
        }
        // Offsets at the very end of the address space.
        let mut far = b"II\x2a\x00\xff\xff\xff\xff".to_vec();
        far.extend_from_slice(&[0xff; 32]);
        assert_eq!(camera(&far), Camera::default());
    }
}
