//! The memory estimate a server sizes its decode budget with ([`preprocess::peak_memory`]) is
//! checked against the real peak: a counting global allocator measures the heap one `preprocess`
//! of each kind of file allocates at its highest, through the reduced-scale JPEG path and the
//! every-pixel one; the estimate (one for both: the reduced path can fall back to the other) must
//! cover both, without being loose against the every-pixel peak (at most twice it plus the fixed
//! part). One test function: the allocator counts every thread, so the cases run one after the
//! other.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, Rgb, Rgba};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait, INSTRUMENTED_SYSTEM};
use smart_tags_core::preprocess::{self, Options};

#[global_allocator]
static GLOBAL: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// A photo-like pattern: smooth gradients with texture, so the JPEG sizes are realistic.
fn pixel(x: u32, y: u32) -> [u8; 3] {
    let t = ((x * 7 + y * 13) ^ (x * y / 97)) as u8;
    [(x / 13) as u8 ^ t, (y / 11) as u8, ((x + y) as u8 / 2) ^ (t / 4)]
}

fn rgb(width: u32, height: u32) -> Vec<u8> {
    (0..height).flat_map(|y| (0..width).flat_map(move |x| pixel(x, y))).collect()
}

/// EXIF (what follows the APP1 marker) with only an orientation.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut out = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
    out.extend_from_slice(&value.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    out
}

struct Jpeg {
    progressive: bool,
    sampling: SamplingFactor,
    color: ColorType,
    orientation: Option<u16>,
}

fn jpeg(width: u32, height: u32, how: &Jpeg) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 85);
    encoder.set_progressive(how.progressive);
    encoder.set_sampling_factor(how.sampling);
    if let Some(value) = how.orientation {
        encoder.add_app_segment(1, &exif_orientation(value)).expect("app1");
    }
    let pixels = rgb(width, height);
    let data: Vec<u8> = match how.color {
        ColorType::Rgb => pixels,
        ColorType::Luma => pixels.chunks_exact(3).map(|p| p[1]).collect(),
        ColorType::Cmyk => pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 40]).collect(),
        _ => unreachable!(),
    };
    encoder.encode(&data, width as u16, height as u16, how.color).expect("encode");
    out
}

fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn rgb_image(width: u32, height: u32) -> ImageBuffer<Rgb<u8>, Vec<u8>> {
    ImageBuffer::from_fn(width, height, |x, y| Rgb(pixel(x, y)))
}

#[test]
fn the_estimate_covers_the_peak_of_every_kind_of_file() {
    let baseline =
        Jpeg { progressive: false, sampling: SamplingFactor::F_2_2, color: ColorType::Rgb, orientation: None };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("jpeg 8 MP baseline 4:2:0", jpeg(3264, 2448, &baseline)),
        ("jpeg 8 MP baseline 4:4:4", jpeg(3264, 2448, &Jpeg { sampling: SamplingFactor::F_1_1, ..baseline })),
        ("jpeg 8 MP progressive 4:2:0", jpeg(3264, 2448, &Jpeg { progressive: true, ..baseline })),
        (
            "jpeg 8 MP progressive 4:4:4",
            jpeg(3264, 2448, &Jpeg { progressive: true, sampling: SamplingFactor::F_1_1, ..baseline }),
        ),
        (
            "jpeg 8 MP progressive rotated",
            jpeg(3264, 2448, &Jpeg { progressive: true, orientation: Some(6), ..baseline }),
        ),
        ("jpeg 8 MP grey", jpeg(3264, 2448, &Jpeg { color: ColorType::Luma, ..baseline })),
        (
            "jpeg 8 MP cmyk",
            jpeg(3264, 2448, &Jpeg { color: ColorType::Cmyk, sampling: SamplingFactor::F_1_1, ..baseline }),
        ),
        (
            "jpeg 8 MP cmyk progressive",
            jpeg(
                3264,
                2448,
                &Jpeg { color: ColorType::Cmyk, sampling: SamplingFactor::F_1_1, progressive: true, ..baseline },
            ),
        ),
        ("jpeg 1 MP rotated", jpeg(1200, 900, &Jpeg { orientation: Some(8), ..baseline })),
        ("png 6 MP rgb", encoded(DynamicImage::ImageRgb8(rgb_image(3000, 2000)), ImageFormat::Png)),
        (
            "png 6 MP rgba",
            encoded(
                DynamicImage::ImageRgba8(ImageBuffer::from_fn(3000, 2000, |x, y| {
                    let [r, g, b] = pixel(x, y);
                    Rgba([r, g, b, 200])
                })),
                ImageFormat::Png,
            ),
        ),
        (
            "png 6 MP rgba 16-bit",
            encoded(DynamicImage::ImageRgb8(rgb_image(3000, 2000)).to_rgba16().into(), ImageFormat::Png),
        ),
        (
            "png 6 MP grey",
            encoded(
                DynamicImage::ImageLuma8(ImageBuffer::from_fn(3000, 2000, |x, y| Luma([pixel(x, y)[0]]))),
                ImageFormat::Png,
            ),
        ),
        ("webp 4 MP lossless", encoded(DynamicImage::ImageRgb8(rgb_image(2400, 1600)), ImageFormat::WebP)),
        ("gif 1 MP", encoded(DynamicImage::ImageRgb8(rgb_image(1200, 800)), ImageFormat::Gif)),
        ("bmp 3 MP", encoded(DynamicImage::ImageRgb8(rgb_image(2000, 1500)), ImageFormat::Bmp)),
    ];
    let options = Options::default();
    let full = Options { reduced_jpeg: false, ..Options::default() };
    let mut problems = Vec::new();
    for (name, bytes) in &cases {
        let estimate = preprocess::peak_memory(bytes, &options).expect("estimate");
        assert_eq!(preprocess::peak_memory(bytes, &full).expect("estimate"), estimate, "one estimate for both paths");
        let mut peaks = Vec::new();
        for (how, options) in [("", &options), (" (every pixel)", &full)] {
            GLOBAL.reset_peak_memory();
            let done = preprocess::preprocess(bytes, options).expect("preprocess");
            let peak = GLOBAL.get_peak_memory() as u64;
            drop(done);
            println!(
                "{name}{how}: {} bytes, peak {:.1} MB, estimate {:.1} MB ({:.2}x)",
                bytes.len(),
                peak as f64 / 1e6,
                estimate as f64 / 1e6,
                estimate as f64 / peak as f64
            );
            if estimate < peak {
                problems.push(format!("{name}{how}: peak {peak} over the estimate {estimate}"));
            }
            peaks.push(peak);
        }
        // Tight against the every-pixel decode, the path it is the bound of.
        let every_pixel = peaks[1];
        if estimate > 2 * every_pixel + preprocess::PEAK_MEMORY_FIXED {
            problems.push(format!("{name}: estimate {estimate} loose against the every-pixel peak {every_pixel}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
