//! The paired comparison: each shopper is seen in both arms, so the lift
//! of a ratio metric (orders per visit, clicks per exposed visit, revenue
//! per visit) is measured shopper by shopper.
//!
//! For a ratio R = Σy / Σx per arm, the difference D = R₁ − R₀ is
//! linearized (the delta method): shopper i contributes
//! zᵢ = (y₁ᵢ − R₁x₁ᵢ) / x̄₁ − (y₀ᵢ − R₀x₀ᵢ) / x̄₀, and Var(D) ≈ Var(z) / n.
//! Pairing enters through zᵢ: what a shopper would have done anyway cancels
//! within their own difference. The interval is D ± 1.96 √(Var(z) / n).

/// One shopper's ratio parts in one arm.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ratio {
    /// The numerator (orders, clicks, revenue).
    pub num: f64,
    /// The denominator (visits, exposed visits).
    pub den: f64,
}

/// A paired comparison of one ratio metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// The personalized arm's ratio.
    pub treated: f64,
    /// The holdout's.
    pub control: f64,
    /// `treated − control`.
    pub lift: f64,
    /// The 95 % interval's low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
}

impl Paired {
    /// The comparison over shoppers' (personalized, holdout) parts.
    pub fn of(samples: &[(Ratio, Ratio)]) -> Paired {
        let n = samples.len() as f64;
        let sum = |pick: fn(&(Ratio, Ratio)) -> f64| samples.iter().map(pick).sum::<f64>();
        let (num1, den1) = (sum(|s| s.0.num), sum(|s| s.0.den));
        let (num0, den0) = (sum(|s| s.1.num), sum(|s| s.1.den));
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let (r1, r0) = (ratio(num1, den1), ratio(num0, den0));
        let lift = r1 - r0;
        let (mean1, mean0) = (den1 / n, den0 / n);
        let part = |r: Ratio, rate: f64, mean: f64| {
            if mean > 0.0 {
                (r.num - rate * r.den) / mean
            } else {
                0.0
            }
        };
        let z: Vec<f64> = samples
            .iter()
            .map(|(t, c)| part(*t, r1, mean1) - part(*c, r0, mean0))
            .collect();
        let mean_z = z.iter().sum::<f64>() / n;
        let variance = z.iter().map(|v| (v - mean_z).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let half = 1.96 * (variance / n.max(1.0)).sqrt();
        Paired {
            treated: r1,
            control: r0,
            lift,
            low: lift - half,
            high: lift + half,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(num: f64, den: f64) -> Ratio {
        Ratio { num, den }
    }

    #[test]
    fn a_shift_every_shopper_shares_has_a_narrow_interval() {
        // Shoppers differ a lot; each converts one visit more of two when treated.
        let samples: Vec<(Ratio, Ratio)> = (0..400)
            .map(|i| {
                let base = f64::from(i % 2);
                (r(base + 1.0, 2.0), r(base, 2.0))
            })
            .collect();
        let p = Paired::of(&samples);
        assert!((p.lift - 0.5).abs() < 1e-12, "{p:?}");
        assert!(p.high - p.low < 1e-9, "no noise in the differences: {p:?}");
    }

    #[test]
    fn unpaired_noise_widens_the_interval_around_no_effect() {
        let samples: Vec<(Ratio, Ratio)> = (0..1000)
            .map(|i| (r(f64::from(i % 2), 1.0), r(f64::from((i / 2) % 2), 1.0)))
            .collect();
        let p = Paired::of(&samples);
        assert!(p.lift.abs() < 1e-12 && p.low < 0.0 && p.high > 0.0, "{p:?}");
        // Independent 0/1 halves: Var(z) = 0.5, half-width 1.96 √(0.5 / 1000).
        assert!(
            (p.high - 1.96 * (0.5f64 / 1000.0).sqrt()).abs() < 1e-3,
            "{p:?}"
        );
    }
}
