//! The model checksum: a 64-bit word hash, fast in wasm and native alike.
//!
//! It detects corruption (truncation, flipped bits, a wrong file), not
//! tampering: integrity against an attacker is the job of Subresource
//! Integrity and HTTPS. Each step `h -> (h ^ w) * P` rotated is a bijection of
//! `h` for a fixed word `w`, so changing any single word always changes the
//! result.

const SEED: u64 = 0x5348_454c_4657_4953; // "SHELFWIS"
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes `bytes`, length included, continuing from `seed` (0 to start):
/// `checksum(b, checksum(a, 0))` hashes `a` then `b`.
pub(crate) fn checksum(bytes: &[u8], seed: u64) -> u64 {
    let mut h = SEED ^ seed ^ (bytes.len() as u64);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h = mix(h, u64::from_le_bytes(w));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        for (dst, src) in w.iter_mut().zip(rest) {
            *dst = *src;
        }
        h = mix(h, u64::from_le_bytes(w));
    }
    // Final avalanche so that nearby inputs give distant outputs.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(PRIME).rotate_left(29)
}

#[cfg(test)]
mod tests {
    use super::checksum;

    #[test]
    fn every_single_bit_flip_changes_the_checksum() {
        let data: Vec<u8> = (0..37u8).collect();
        let base = checksum(&data, 0);
        for i in 0..data.len() {
            for bit in 0..8 {
                let mut flipped = data.clone();
                flipped[i] ^= 1 << bit;
                assert_ne!(checksum(&flipped, 0), base, "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn trailing_zeros_are_not_ignored() {
        assert_ne!(checksum(b"abc", 0), checksum(b"abc\0", 0));
    }
}
