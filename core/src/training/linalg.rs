//! Dense single-precision products through `matrixmultiply`'s sgemm (runtime AVX2/FMA detection),
//! reached through ndarray's safe `general_mat_mul` because the workspace forbids `unsafe`.
//! Every matrix is a row-major slice; the shapes are the callers' invariants.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

fn view(data: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("the slice holds rows x cols values")
}

fn view_mut(data: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), &mut data[..rows * cols]).expect("the slice holds rows x cols values")
}

/// `c (m x n) = a (m x p) · b (n x p)ᵀ`.
pub(crate) fn matmul_abt(a: &[f32], b: &[f32], c: &mut [f32], m: usize, p: usize, n: usize) {
    general_mat_mul(1.0, &view(a, m, p), &view(b, n, p).t(), 0.0, &mut view_mut(c, m, n));
}

/// `c (m x n) = a (p x m)ᵀ · b (p x n)`.
pub(crate) fn matmul_atb(a: &[f32], b: &[f32], c: &mut [f32], m: usize, p: usize, n: usize) {
    general_mat_mul(1.0, &view(a, p, m).t(), &view(b, p, n), 0.0, &mut view_mut(c, m, n));
}

/// Dot product: eight f32 lanes (which the compiler vectorises) over blocks of 256 values, the
/// blocks summed in f64, so the optimiser's scalars keep about f64 precision at f32 speed.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut total = 0.0f64;
    for (block_a, block_b) in a.chunks(256).zip(b.chunks(256)) {
        let mut lanes = [0.0f32; 8];
        let mut tail = 0.0f32;
        let (chunks_a, chunks_b) = (block_a.chunks_exact(8), block_b.chunks_exact(8));
        for (x, y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
            tail += x * y;
        }
        for (x, y) in chunks_a.zip(chunks_b) {
            for lane in 0..8 {
                lanes[lane] += x[lane] * y[lane];
            }
        }
        total += lanes.iter().map(|v| f64::from(*v)).sum::<f64>() + f64::from(tail);
    }
    total
}

/// `y += alpha · x`.
pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_is_accurate_at_any_length() {
        for len in [0, 1, 7, 8, 9, 255, 256, 257, 1000] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let exact: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
            assert!((dot(&a, &b) - exact).abs() < 1e-5, "length {len}");
        }
    }

    #[test]
    fn products_match_loops() {
        let (m, p, n) = (3, 4, 2);
        let a: Vec<f32> = (0..m * p).map(|v| v as f32 - 5.0).collect();
        let b: Vec<f32> = (0..n * p).map(|v| (v as f32) * 0.5).collect();
        let mut c = vec![0.0; m * n];
        matmul_abt(&a, &b, &mut c, m, p, n);
        for i in 0..m {
            for j in 0..n {
                let want: f32 = (0..p).map(|t| a[i * p + t] * b[j * p + t]).sum();
                assert_eq!(c[i * n + j], want);
            }
        }
        // aᵀ·a with a read as (m x p): a p x p product.
        let mut d = vec![0.0; p * p];
        matmul_atb(&a, &a, &mut d, p, m, p);
        for i in 0..p {
            for j in 0..p {
                let want: f32 = (0..m).map(|t| a[t * p + i] * a[t * p + j]).sum();
                assert_eq!(d[i * p + j], want);
            }
        }
    }
}
