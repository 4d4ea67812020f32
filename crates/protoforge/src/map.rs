//! The hasher of generated `HashMap` fields: foldhash, seeded at random.
//!
//! Map fields are filled from input bytes, often from the network, so their
//! hasher must be randomly seeded: with a fixed hash function anyone could
//! send keys that all collide and turn each insert into a scan (hash
//! flooding). std's `RandomState` is seeded but runs SipHash-1-3, which
//! profiles of decoding showed costing more than the map's own work (a
//! quarter of decoding a string map). foldhash is seeded per process and
//! per map like std's, and several times faster on short keys; hashbrown
//! uses it by default. It resists hash flooding by an attacker who cannot
//! read the process's memory or time its maps closely, which is the threat
//! a decoder faces; a program that needs more can use `BTreeMap` fields
//! (the `btree_map` option).
//!
//! The types wrap foldhash's, so it stays an implementation detail.

use std::fmt;
use std::hash::{BuildHasher, Hasher};

/// The `HashMap` of generated map fields: std's map with a [`RandomState`].
///
/// Build one with `HashMap::default()`, `collect()` or `from_iter` (std's
/// `HashMap::new` is only for its own hasher):
///
/// ```
/// let mut labels = protoforge::map::HashMap::default();
/// labels.insert("env".to_string(), "prod".to_string());
/// let more: protoforge::map::HashMap<i32, bool> = [(1, true)].into_iter().collect();
/// assert_eq!(labels.len() + more.len(), 2);
/// ```
pub type HashMap<K, V> = std::collections::HashMap<K, V, RandomState>;

/// Builds the [`MapHasher`]s of one map: a seed drawn at random for each
/// map, on top of one drawn at random for the process.
#[derive(Clone, Default)]
pub struct RandomState(foldhash::fast::RandomState);

impl fmt::Debug for RandomState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomState").finish_non_exhaustive()
    }
}

impl BuildHasher for RandomState {
    type Hasher = MapHasher;

    #[inline(always)]
    fn build_hasher(&self) -> MapHasher {
        MapHasher(self.0.build_hasher())
    }
}

/// The hasher [`RandomState`] builds.
#[derive(Clone)]
pub struct MapHasher(foldhash::fast::FoldHasher);

impl fmt::Debug for MapHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapHasher").finish_non_exhaustive()
    }
}

impl Hasher for MapHasher {
    #[inline(always)]
    fn finish(&self) -> u64 {
        self.0.finish()
    }

    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    #[inline(always)]
    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }

    #[inline(always)]
    fn write_u16(&mut self, i: u16) {
        self.0.write_u16(i);
    }

    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    #[inline(always)]
    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }

    #[inline(always)]
    fn write_u128(&mut self, i: u128) {
        self.0.write_u128(i);
    }

    #[inline(always)]
    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }

    #[inline(always)]
    fn write_i32(&mut self, i: i32) {
        self.0.write_i32(i);
    }

    #[inline(always)]
    fn write_i64(&mut self, i: i64) {
        self.0.write_i64(i);
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn maps_are_seeded_apart() {
        // Two maps hash the same key differently (with overwhelming
        // probability), so colliding keys cannot be prepared in advance.
        let a = RandomState::default();
        let b = RandomState::default();
        let differ = (0..8).any(|i: u64| a.hash_one(i) != b.hash_one(i));
        assert!(differ);
        // One map hashes consistently.
        assert_eq!(a.hash_one("key"), a.hash_one("key"));
    }
}
