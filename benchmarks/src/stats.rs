//! Order statistics for benchmark samples. The machine the benchmarks run
//! on is shared and loaded, so reports use medians (robust to the outliers
//! that a busy neighbour causes), the interquartile spread as the noise
//! figure, and ratios paired by round: a ratio is taken between two
//! measurements made back to back in the same round, then the median of
//! those ratios is reported.

/// The `q` quantile (0.0 to 1.0) of `samples`, linearly interpolated; NaN
/// when empty.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] * (1.0 - frac) + sorted[hi] * frac
}

/// The median.
pub fn median(samples: &[f64]) -> f64 {
    quantile(samples, 0.5)
}

/// The interquartile range as a fraction of the median (0.05 = ±5% spread).
pub fn relative_iqr(samples: &[f64]) -> f64 {
    let m = median(samples);
    if m == 0.0 || m.is_nan() {
        return f64::NAN;
    }
    (quantile(samples, 0.75) - quantile(samples, 0.25)) / m
}

/// The geometric mean; NaN when empty or when a value is not positive.
pub fn geomean(values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return f64::NAN;
    }
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

/// Element-wise `num[i] / den[i]` (samples of the same round).
pub fn paired_ratios(num: &[f64], den: &[f64]) -> Vec<f64> {
    num.iter().zip(den).map(|(n, d)| n / d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let s = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(&s), 2.5);
        assert_eq!(quantile(&s, 0.0), 1.0);
        assert_eq!(quantile(&s, 1.0), 4.0);
        assert!((relative_iqr(&s) - 1.5 / 2.5).abs() < 1e-12);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn geomean_of_ratios() {
        assert!((geomean(&[2.0, 8.0]) - 4.0).abs() < 1e-12);
        assert!(geomean(&[1.0, 0.0]).is_nan());
        assert_eq!(paired_ratios(&[4.0, 9.0], &[2.0, 3.0]), vec![2.0, 3.0]);
    }
}
