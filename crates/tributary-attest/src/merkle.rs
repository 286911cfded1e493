//! The receipts' Merkle tree: SHA-256 with domain-separated leaves and nodes, built in one pass
//! over the receipts with memory that grows with log₂ of their number.
//!
//! leaf = SHA-256(0x00 ‖ canonical receipt), node = SHA-256(0x01 ‖ left ‖ right). Leaves are paired
//! level by level in file order; a level's odd last node moves up unchanged.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub const LEAF_TAG: u8 = 0x00;
pub const NODE_TAG: u8 = 0x01;

pub fn leaf_hash(canonical_receipt: &[u8]) -> Hash {
    Sha256::new().chain_update([LEAF_TAG]).chain_update(canonical_receipt).finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new().chain_update([NODE_TAG]).chain_update(left).chain_update(right).finalize().into()
}

/// Which side a proof's sibling sits on.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

/// One step of an inclusion proof, from the leaf up.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub side: Side,
    #[serde(with = "crate::hex32")]
    pub hash: Hash,
}

/// The root `leaf` reaches through `path`.
pub fn root_from(leaf: Hash, path: &[Step]) -> Hash {
    path.iter().fold(leaf, |acc, step| match step.side {
        Side::Left => node_hash(&step.hash, &acc),
        Side::Right => node_hash(&acc, &step.hash),
    })
}

struct Subtree {
    height: u32,
    hash: Hash,
    holds_target: bool,
}

/// The root of leaves pushed one at a time; with a target index, also that leaf's proof.
///
/// Perfect subtrees are merged as soon as two of a height meet (what pairing level by level does),
/// and what is left at the end is folded from the right (the odd nodes moving up unchanged).
pub struct MerkleBuilder {
    stack: Vec<Subtree>,
    count: u64,
    target: Option<u64>,
    path: Vec<Step>,
}

impl MerkleBuilder {
    pub fn new() -> Self {
        Self { stack: Vec::new(), count: 0, target: None, path: Vec::new() }
    }

    /// A builder that also records the inclusion proof of leaf `index`.
    pub fn proving(index: u64) -> Self {
        Self { target: Some(index), ..Self::new() }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn push(&mut self, leaf: Hash) {
        let holds_target = self.target == Some(self.count);
        self.count += 1;
        let mut node = Subtree { height: 0, hash: leaf, holds_target };
        while self.stack.last().is_some_and(|top| top.height == node.height) {
            let Some(left) = self.stack.pop() else { break };
            node = self.merge(left, node);
        }
        self.stack.push(node);
    }

    fn merge(&mut self, left: Subtree, right: Subtree) -> Subtree {
        if left.holds_target {
            self.path.push(Step { side: Side::Right, hash: right.hash });
        } else if right.holds_target {
            self.path.push(Step { side: Side::Left, hash: left.hash });
        }
        Subtree {
            height: left.height.max(right.height) + 1,
            hash: node_hash(&left.hash, &right.hash),
            holds_target: left.holds_target || right.holds_target,
        }
    }

    /// The root and (for a proving builder whose target was pushed) the target's proof; `None`
    /// with no leaves.
    pub fn finish(mut self) -> Option<(Hash, Option<Vec<Step>>)> {
        let mut acc = self.stack.pop()?;
        while let Some(left) = self.stack.pop() {
            acc = self.merge(left, acc);
        }
        let proof = self.target.filter(|t| *t < self.count).map(|_| self.path);
        Some((acc.hash, proof))
    }
}

impl Default for MerkleBuilder {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, level by level.
    fn reference_root(leaves: &[Hash]) -> Hash {
        let mut level = leaves.to_vec();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| if pair.len() == 2 { node_hash(&pair[0], &pair[1]) } else { pair[0] })
                .collect();
        }
        level[0]
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("receipt {i}").as_bytes())).collect()
    }

    #[test]
    fn one_pass_equals_level_by_level_and_every_proof_verifies() {
        for n in 1..=70 {
            let leaves = leaves(n);
            let expected = reference_root(&leaves);
            for target in 0..n {
                let mut builder = MerkleBuilder::proving(target as u64);
                leaves.iter().for_each(|l| builder.push(*l));
                let (root, proof) = builder.finish().expect("leaves");
                assert_eq!(root, expected, "n = {n}");
                let proof = proof.expect("target pushed");
                assert_eq!(root_from(leaves[target], &proof), root, "n = {n}, target {target}");
                // the proof is for this leaf only
                let other = leaves[(target + 1) % n];
                assert!(n == 1 || root_from(other, &proof) != root);
            }
        }
    }

    #[test]
    fn a_tampered_proof_fails() {
        let leaves = leaves(13);
        let mut builder = MerkleBuilder::proving(6);
        leaves.iter().for_each(|l| builder.push(*l));
        let (root, proof) = builder.finish().expect("leaves");
        let proof = proof.expect("proof");
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i].hash[0] ^= 1;
            assert_ne!(root_from(leaves[6], &flipped), root);
            let mut swapped = proof.clone();
            swapped[i].side = if swapped[i].side == Side::Left { Side::Right } else { Side::Left };
            assert_ne!(root_from(leaves[6], &swapped), root);
        }
    }

    #[test]
    fn leaves_and_nodes_are_domain_separated() {
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let mut node_bytes = a.to_vec();
        node_bytes.extend_from_slice(&b);
        // a leaf whose receipt bytes are two hashes is not the node of those hashes
        assert_ne!(leaf_hash(&node_bytes), node_hash(&a, &b));
    }
}
