//! Confidence intervals for the report: Wilson score intervals for rates,
//! Newcombe's hybrid score interval for a difference of rates, Welch's
//! interval for a difference of means. All at 95 %.

/// The normal quantile for a two-sided 95 % interval.
const Z: f64 = 1.959_963_984_540_054;

/// An estimate with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// The point estimate.
    pub value: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Wilson's score interval for `successes` out of `n` (`None` when `n` is 0).
pub fn wilson(successes: u64, n: u64) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        value: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// Newcombe's hybrid score interval (his method 10) for `p1 − p0`, from
/// two independent samples.
pub fn newcombe(s1: u64, n1: u64, s0: u64, n0: u64) -> Option<Interval> {
    let a = wilson(s1, n1)?;
    let b = wilson(s0, n0)?;
    let d = a.value - b.value;
    let low = d - ((a.value - a.low).powi(2) + (b.high - b.value).powi(2)).sqrt();
    let high = d + ((a.high - a.value).powi(2) + (b.value - b.low).powi(2)).sqrt();
    Some(Interval {
        value: d,
        low,
        high,
    })
}

/// A sample summarized by its count, sum and sum of squares.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Observations.
    pub n: u64,
    /// Their sum.
    pub sum: f64,
    /// The sum of their squares.
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// The mean (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// The unbiased sample variance (`None` under two observations).
    pub fn variance(&self) -> Option<f64> {
        let n = self.n as f64;
        (self.n > 1).then(|| ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0))
    }

    /// The mean with a Student-t interval.
    pub fn interval(&self) -> Option<Interval> {
        let mean = self.mean()?;
        let Some(var) = self.variance() else {
            return Some(Interval {
                value: mean,
                low: mean,
                high: mean,
            });
        };
        let half = t_quantile((self.n - 1) as f64) * (var / self.n as f64).sqrt();
        Some(Interval {
            value: mean,
            low: mean - half,
            high: mean + half,
        })
    }
}

/// Welch's interval for `mean(a) − mean(b)`.
pub fn welch(a: &Moments, b: &Moments) -> Option<Interval> {
    let (ma, mb) = (a.mean()?, b.mean()?);
    let (va, vb) = (a.variance()? / a.n as f64, b.variance()? / b.n as f64);
    let d = ma - mb;
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(Interval {
            value: d,
            low: d,
            high: d,
        });
    }
    // Welch–Satterthwaite degrees of freedom.
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    let half = t_quantile(df) * se2.sqrt();
    Some(Interval {
        value: d,
        low: d - half,
        high: d + half,
    })
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom: from
/// the standard table below 30 (rounding `df` down, which errs wide), by
/// the Cornish–Fisher expansion around the normal quantile from 30 up
/// (within 0.01 % there).
pub fn t_quantile(df: f64) -> f64 {
    const TABLE: [f64; 29] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045,
    ];
    if df < 30.0 {
        let at = (df.max(1.0) as usize).saturating_sub(1);
        return TABLE.get(at).copied().unwrap_or(TABLE[0]);
    }
    let z = Z;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662.
        let i = wilson(81, 263).unwrap();
        assert!(
            close(i.low, 0.2553, 1e-4) && close(i.high, 0.3662, 1e-4),
            "{i:?}"
        );
        // 0/10 → 0 to 0.2775.
        let i = wilson(0, 10).unwrap();
        assert!(
            close(i.low, 0.0, 1e-9) && close(i.high, 0.2775, 1e-4),
            "{i:?}"
        );
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn newcombe_matches_published_values() {
        // Newcombe (1998), table II, example (a): 56/70 − 48/80 → 0.0524 to 0.3339.
        let i = newcombe(56, 70, 48, 80).unwrap();
        assert!(
            close(i.low, 0.0524, 1e-4) && close(i.high, 0.3339, 1e-4),
            "{i:?}"
        );
    }

    #[test]
    fn t_quantiles_are_close_to_the_tables() {
        for (df, t) in [
            (3.0, 3.182),
            (3.9, 3.182),
            (10.0, 2.228),
            (30.0, 2.042),
            (60.0, 2.000),
            (120.0, 1.980),
            (1e9, 1.960),
        ] {
            assert!(
                close(t_quantile(df), t, 0.0015),
                "df {df}: {}",
                t_quantile(df)
            );
        }
    }

    #[test]
    fn welch_of_two_samples() {
        let mut a = Moments::default();
        let mut b = Moments::default();
        for x in [19.1, 20.3, 21.0, 19.8, 20.6, 20.1] {
            a.push(x);
        }
        for x in [18.2, 18.9, 19.4, 18.1, 18.8, 19.6, 18.5] {
            b.push(x);
        }
        let i = welch(&a, &b).unwrap();
        // By hand (Python's statistics module): difference 1.3643, standard
        // error 0.34481, 10.03 degrees of freedom, t = 2.228.
        let half = 2.228 * 0.34481;
        assert!(close(i.value, 1.3643, 1e-4), "{i:?}");
        assert!(
            close(i.low, 1.3643 - half, 1e-3) && close(i.high, 1.3643 + half, 1e-3),
            "{i:?}"
        );
    }
}
