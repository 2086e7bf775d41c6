//! The one order in which the moments of groups of runs are merged: a
//! binary tree over the group indices. Floating-point merging is not
//! associative, so the order fixes the bits of every mean and sd. A
//! sequential fold would tie those bits to one machine doing all groups; the
//! tree ties them only to the set of groups. A shard of an ensemble
//! (`run --shard`) computes every tree node whose groups it ran, and
//! merging shards completes the same tree, so any split of the runs, and
//! any tree of merges, gives the bytes of a single run.
//!
//! Node (level, i) holds groups i·2^level .. (i+1)·2^level; it is its left
//! child merged with its right child, or the left child alone when the
//! right one holds no group of the ensemble.

use std::collections::BTreeMap;

use super::Moments;

/// Tree nodes merged so far; complete when the root is there.
#[derive(Clone, Debug)]
pub struct GroupTree {
    groups: u64,
    levels: u32,
    nodes: BTreeMap<(u32, u64), Moments>,
}

impl GroupTree {
    /// The tree of an ensemble of `groups` groups.
    pub fn new(groups: u64) -> Self {
        let levels = 64 - groups.max(1).saturating_sub(1).leading_zeros();
        GroupTree {
            groups,
            levels: if groups <= 1 { 0 } else { levels },
            nodes: BTreeMap::new(),
        }
    }

    pub fn groups(&self) -> u64 {
        self.groups
    }

    /// Adds the moments of node (level, index) — group `index` at level
    /// 0 — and merges upward while the sibling is known (or empty).
    pub fn add(&mut self, mut level: u32, mut index: u64, mut m: Moments) {
        while level < self.levels {
            let sibling = index ^ 1;
            if let Some(s) = self.nodes.remove(&(level, sibling)) {
                if index.is_multiple_of(2) {
                    m.merge(&s);
                } else {
                    let mut left = s;
                    left.merge(&m);
                    m = left;
                }
            } else if (sibling << level) < self.groups {
                self.nodes.insert((level, index), m);
                return;
            }
            // else: the right sibling holds no group; the parent is `m`.
            level += 1;
            index /= 2;
        }
        self.nodes.insert((level, index), m);
    }

    /// The moments of every group, merged, once every group was added.
    pub fn total(&self) -> Option<&Moments> {
        if self.nodes.len() == 1 {
            self.nodes.get(&(self.levels, 0))
        } else {
            None
        }
    }

    /// The nodes not merged further yet: all a shard needs to keep.
    pub fn nodes(&self) -> impl Iterator<Item = (u32, u64, &Moments)> {
        self.nodes.iter().map(|(&(l, i), m)| (l, i, m))
    }

    /// The groups the tree holds, as sorted ranges.
    pub fn covered(&self) -> Vec<std::ops::Range<u64>> {
        let mut ranges: Vec<std::ops::Range<u64>> = self
            .nodes
            .keys()
            .map(|&(l, i)| (i << l)..((i + 1) << l).min(self.groups))
            .collect();
        ranges.sort_by_key(|r| r.start);
        let mut out: Vec<std::ops::Range<u64>> = Vec::new();
        for r in ranges {
            match out.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => out.push(r),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(g: u64) -> Moments {
        let mut m = Moments::new(3);
        for r in 0..(g % 5 + 1) {
            let x = (g * 31 + r * 7) as f64 * 0.013_7 + 1.0 / (r + 1) as f64;
            m.add_run(&[x, x * x, 1.0 / (x + 3.0)]);
        }
        m
    }

    fn bits(m: &Moments) -> Vec<u64> {
        m.mean.iter().chain(&m.m2).map(|x| x.to_bits()).collect()
    }

    #[test]
    fn any_order_and_any_split_give_the_same_bits() {
        for groups in [1u64, 2, 3, 5, 8, 13, 64, 100] {
            let mut whole = GroupTree::new(groups);
            for g in 0..groups {
                whole.add(0, g, group(g));
            }
            let want = bits(whole.total().expect("complete"));
            // reversed order
            let mut rev = GroupTree::new(groups);
            for g in (0..groups).rev() {
                rev.add(0, g, group(g));
            }
            assert_eq!(bits(rev.total().unwrap()), want, "{groups} reversed");
            // three shards, merged through their nodes in another order
            let cut = [0, groups / 3, 2 * groups / 3, groups];
            let shards: Vec<GroupTree> = cut
                .windows(2)
                .map(|w| {
                    let mut t = GroupTree::new(groups);
                    for g in w[0]..w[1] {
                        t.add(0, g, group(g));
                    }
                    t
                })
                .collect();
            let mut merged = GroupTree::new(groups);
            for s in shards.iter().rev() {
                for (l, i, m) in s.nodes() {
                    merged.add(l, i, m.clone());
                }
            }
            assert_eq!(bits(merged.total().unwrap()), want, "{groups} shards");
            assert_eq!(
                whole.total().unwrap().n,
                (0..groups).map(|g| g % 5 + 1).sum::<u64>()
            );
        }
    }

    #[test]
    fn an_incomplete_tree_has_no_total_and_says_what_it_covers() {
        let mut t = GroupTree::new(10);
        for g in [0, 1, 2, 3, 7, 8] {
            t.add(0, g, group(g));
        }
        assert!(t.total().is_none());
        assert_eq!(t.covered(), vec![0..4, 7..9]);
    }
}
