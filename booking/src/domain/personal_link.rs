//! The resident's personal link token: 256 random bits, shown once, stored only as a hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The secret part of a resident's personal link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonalToken(String);

impl PersonalToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings shaped like a token we issued, so junk never reaches the database.
    pub fn parse(raw: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok()?;
        (decoded.len() == 32).then(|| Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores. A plain SHA-256 is enough: the input has 256 bits of entropy,
    /// so there is nothing to brute-force that a slow hash would protect.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_round_trip() {
        let a = PersonalToken::generate();
        let b = PersonalToken::generate();
        assert_ne!(a, b);
        assert_eq!(PersonalToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.as_str());
        assert!(PersonalToken::parse("not-a-token").is_none());
        assert!(PersonalToken::parse("").is_none());
    }
}
