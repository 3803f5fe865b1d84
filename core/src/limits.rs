//! Input limits. Every decode checks them from the header first, so a decompression bomb (a few
//! kilobytes declaring 50000x50000 pixels) is refused before a single pixel buffer is allocated.

use serde::{Deserialize, Serialize};

use crate::error::PreprocessError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Largest accepted image area, in pixels (width x height).
    pub max_pixels: u64,
    /// Longest accepted side, in pixels.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 50 * 1024 * 1024, max_pixels: 50_000_000, max_side: 20_000 }
    }
}

impl Limits {
    pub fn check_bytes(&self, size: usize) -> Result<(), PreprocessError> {
        if size == 0 {
            return Err(PreprocessError::Empty);
        }
        if size > self.max_bytes {
            return Err(PreprocessError::TooManyBytes { size, limit: self.max_bytes });
        }
        Ok(())
    }

    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<(), PreprocessError> {
        if width == 0 || height == 0 {
            return Err(PreprocessError::ZeroSize);
        }
        if width > self.max_side || height > self.max_side {
            return Err(PreprocessError::SideTooLong { width, height, limit: self.max_side });
        }
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(PreprocessError::TooManyPixels { width, height, limit: self.max_pixels });
        }
        Ok(())
    }

    /// Bytes the decoder may allocate: the RGBA8 frame of the largest accepted image plus slack.
    pub(crate) fn max_alloc(&self) -> u64 {
        self.max_pixels.saturating_mul(4).saturating_add(16 * 1024 * 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_each_limit() {
        let l = Limits { max_bytes: 10, max_pixels: 100, max_side: 20 };
        assert_eq!(l.check_bytes(0), Err(PreprocessError::Empty));
        assert!(l.check_bytes(10).is_ok());
        assert_eq!(l.check_bytes(11), Err(PreprocessError::TooManyBytes { size: 11, limit: 10 }));
        assert!(l.check_dimensions(10, 10).is_ok());
        assert_eq!(l.check_dimensions(0, 5), Err(PreprocessError::ZeroSize));
        assert_eq!(l.check_dimensions(21, 1), Err(PreprocessError::SideTooLong { width: 21, height: 1, limit: 20 }));
        assert_eq!(
            l.check_dimensions(11, 10),
            Err(PreprocessError::TooManyPixels { width: 11, height: 10, limit: 100 })
        );
    }
}
