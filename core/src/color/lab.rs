//! CIELAB and the CIEDE2000 colour difference (ΔE00), the perceptual distance used to name colours.
//!
//! sRGB (IEC 61966-2-1) is linearized, converted to XYZ with the sRGB matrix and to CIELAB with
//! the D65 white of that same matrix (its row sums), so every gray has `a = b = 0`.
//! ΔE00 follows Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula: implementation
//! notes, supplementary test data, and mathematical observations" (2005), with `kL = kC = kH = 1`.
//! It was chosen over ΔE76 (plain Euclidean distance in CIELAB) because ΔE76 overstates chroma
//! differences between saturated colours (so muted photo colours are pulled to the grays) and
//! ignores CIELAB's hue distortion around blue, which CIEDE2000's rotation term corrects. Its
//! cost (trigonometry per pair) does not matter: names come from a precomputed table.
//!
//! Everything is `f64`. The powers, roots and trigonometric functions come from the platform's
//! maths library, whose last bit may differ between native code and wasm; how that is kept from
//! changing any colour name is explained in [`super::lookup`].

/// A CIELAB colour (D65).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lab {
    pub l: f64,
    pub a: f64,
    pub b: f64,
}

/// sRGB to XYZ (D65), IEC 61966-2-1.
const SRGB_TO_XYZ: [[f64; 3]; 3] = [
    [0.412_456_4, 0.357_576_1, 0.180_437_5],
    [0.212_672_9, 0.715_152_2, 0.072_175_0],
    [0.019_333_9, 0.119_192_0, 0.950_304_1],
];

/// An sRGB channel (0-255, fractional values allowed) to linear light (0-1).
fn linearize(channel: f64) -> f64 {
    let c = channel / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn lab_f(t: f64) -> f64 {
    const DELTA: f64 = 6.0 / 29.0;
    if t > DELTA * DELTA * DELTA {
        t.cbrt()
    } else {
        t / (3.0 * DELTA * DELTA) + 4.0 / 29.0
    }
}

impl Lab {
    /// Converts an sRGB colour whose channels are 0-255 (fractional values allowed).
    /// Grays (`r == g == b`) get exactly `a = b = 0`: their hue is undefined, and a chroma of
    /// 1e-15 left over from rounding would give them an arbitrary hue angle in CIEDE2000.
    pub fn from_srgb(rgb: [f64; 3]) -> Lab {
        let linear = rgb.map(linearize);
        if rgb[0] == rgb[1] && rgb[1] == rgb[2] {
            return Lab { l: 116.0 * lab_f(linear[0]) - 16.0, a: 0.0, b: 0.0 };
        }
        let [x, y, z] = SRGB_TO_XYZ.map(|row| row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2]);
        let [xn, yn, zn] = SRGB_TO_XYZ.map(|row| row[0] + row[1] + row[2]);
        let (fx, fy, fz) = (lab_f(x / xn), lab_f(y / yn), lab_f(z / zn));
        Lab { l: 116.0 * fy - 16.0, a: 500.0 * (fx - fy), b: 200.0 * (fy - fz) }
    }

    /// Converts an 8-bit sRGB colour.
    pub fn from_rgb8(rgb: [u8; 3]) -> Lab {
        Lab::from_srgb(rgb.map(f64::from))
    }
}

/// Hue angle in degrees, 0..360; 0 for a neutral colour.
fn hue_degrees(b: f64, a: f64) -> f64 {
    if a == 0.0 && b == 0.0 {
        return 0.0;
    }
    let h = b.atan2(a).to_degrees();
    if h < 0.0 {
        h + 360.0
    } else {
        h
    }
}

/// The square of the CIEDE2000 colour difference (ranking by it needs no square root).
pub fn delta_e2000_squared(one: Lab, two: Lab) -> f64 {
    const POW25_7: f64 = 6_103_515_625.0; // 25^7
    let pow7 = |x: f64| {
        let x2 = x * x;
        x2 * x2 * x2 * x
    };
    let c1 = (one.a * one.a + one.b * one.b).sqrt();
    let c2 = (two.a * two.a + two.b * two.b).sqrt();
    let c_mean7 = pow7((c1 + c2) / 2.0);
    let g = 0.5 * (1.0 - (c_mean7 / (c_mean7 + POW25_7)).sqrt());
    let (a1, a2) = (one.a * (1.0 + g), two.a * (1.0 + g));
    let c1p = (a1 * a1 + one.b * one.b).sqrt();
    let c2p = (a2 * a2 + two.b * two.b).sqrt();
    let h1p = hue_degrees(one.b, a1);
    let h2p = hue_degrees(two.b, a2);

    let dl = two.l - one.l;
    let dc = c2p - c1p;
    let neutral = c1p * c2p == 0.0;
    let dh_angle = if neutral {
        0.0
    } else {
        let d = h2p - h1p;
        if d > 180.0 {
            d - 360.0
        } else if d < -180.0 {
            d + 360.0
        } else {
            d
        }
    };
    let dh = 2.0 * (c1p * c2p).sqrt() * (dh_angle / 2.0).to_radians().sin();

    let l_mean = (one.l + two.l) / 2.0;
    let c_mean = (c1p + c2p) / 2.0;
    let h_mean = if neutral {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let cos_deg = |d: f64| d.to_radians().cos();
    let t = 1.0 - 0.17 * cos_deg(h_mean - 30.0) + 0.24 * cos_deg(2.0 * h_mean) + 0.32 * cos_deg(3.0 * h_mean + 6.0)
        - 0.20 * cos_deg(4.0 * h_mean - 63.0);
    let d_theta = 30.0 * (-((h_mean - 275.0) / 25.0).powi(2)).exp();
    let c_mean_7 = pow7(c_mean);
    let r_c = 2.0 * (c_mean_7 / (c_mean_7 + POW25_7)).sqrt();
    let l50 = (l_mean - 50.0) * (l_mean - 50.0);
    let s_l = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let s_c = 1.0 + 0.045 * c_mean;
    let s_h = 1.0 + 0.015 * c_mean * t;
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;

    let (l_term, c_term, h_term) = (dl / s_l, dc / s_c, dh / s_h);
    l_term * l_term + c_term * c_term + h_term * h_term + r_t * c_term * h_term
}

/// The CIEDE2000 colour difference.
pub fn delta_e2000(one: Lab, two: Lab) -> f64 {
    delta_e2000_squared(one, two).max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(l: f64, a: f64, b: f64) -> Lab {
        Lab { l, a, b }
    }

    #[test]
    fn converts_srgb_to_lab() {
        let close = |got: Lab, want: Lab| {
            assert!(
                (got.l - want.l).abs() < 0.01 && (got.a - want.a).abs() < 0.01 && (got.b - want.b).abs() < 0.01,
                "{got:?} != {want:?}"
            );
        };
        close(Lab::from_rgb8([255, 255, 255]), lab(100.0, 0.0, 0.0));
        close(Lab::from_rgb8([0, 0, 0]), lab(0.0, 0.0, 0.0));
        close(Lab::from_rgb8([255, 0, 0]), lab(53.24, 80.09, 67.20));
        close(Lab::from_rgb8([0, 0, 255]), lab(32.30, 79.19, -107.86));
        close(Lab::from_rgb8([128, 128, 128]), lab(53.59, 0.0, 0.0));
        // Grays are exactly neutral.
        let gray = Lab::from_rgb8([77, 77, 77]);
        assert_eq!((gray.a, gray.b), (0.0, 0.0));
    }

    /// Test pairs from Sharma, Wu and Dalal (2005), table 1.
    #[test]
    fn matches_the_published_ciede2000_test_data() {
        let pairs = [
            (lab(50.0, 2.6772, -79.7751), lab(50.0, 0.0, -82.7485), 2.0425),
            (lab(50.0, 3.1571, -77.2803), lab(50.0, 0.0, -82.7485), 2.8615),
            (lab(50.0, 0.0, 0.0), lab(50.0, -1.0, 2.0), 2.3669),
            (lab(50.0, -1.0, 2.0), lab(50.0, 0.0, 0.0), 2.3669),
            (lab(50.0, 2.49, -0.001), lab(50.0, -2.49, 0.0011), 7.2195),
            (lab(50.0, 2.5, 0.0), lab(73.0, 25.0, -18.0), 27.1492),
            (lab(50.0, 2.5, 0.0), lab(61.0, -5.0, 29.0), 22.8977),
            (lab(50.0, 2.5, 0.0), lab(56.0, -27.0, -3.0), 31.9030),
            (lab(50.0, 2.5, 0.0), lab(58.0, 24.0, 15.0), 19.4535),
            (lab(60.2574, -34.0099, 36.2677), lab(60.4626, -34.1751, 39.4387), 1.2644),
            (lab(63.0109, -31.0961, -5.8663), lab(62.8187, -29.7946, -4.0864), 1.2630),
            (lab(22.7233, 20.0904, -46.6940), lab(23.0331, 14.9730, -42.5619), 2.0373),
            (lab(90.8027, -2.0831, 1.4410), lab(91.1528, -1.6435, 0.0447), 1.4441),
            (lab(2.0776, 0.0795, -1.1350), lab(0.9033, -0.0636, -0.5514), 0.9082),
        ];
        for (one, two, want) in pairs {
            let got = delta_e2000(one, two);
            assert!((got - want).abs() < 1e-4, "{one:?} {two:?}: {got} != {want}");
            assert!((delta_e2000(two, one) - want).abs() < 1e-4, "not symmetric");
        }
        assert_eq!(delta_e2000(lab(40.0, 10.0, -5.0), lab(40.0, 10.0, -5.0)), 0.0);
    }
}
