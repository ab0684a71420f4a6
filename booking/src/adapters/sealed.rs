//! Secrets stored sealed: encrypted and authenticated (XChaCha20-Poly1305) with a key from the
//! platform config, so a copy of the database (a backup, a stolen file, a read-only SQL
//! account) does not give away the secrets a municipality entered (case-store or OIDC client
//! secrets). The key lives outside the database: `--secrets-key-file`, by default
//! `secrets.key` in the data directory, created once with mode 0600.
//!
//! Stored form: `sealed:v1:` + base64url(24-byte random nonce || ciphertext with tag).

use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;
/// A key file holds at least this many bytes (random, or e.g. `openssl rand -hex 32`).
pub const MIN_KEY_FILE_BYTES: usize = 32;

/// The key that seals and opens stored secrets. Cheap to clone.
#[derive(Clone)]
pub struct SecretsKey(Arc<XChaCha20Poly1305>);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl SecretsKey {
    /// The key from key material of at least `MIN_KEY_FILE_BYTES` bytes (hashed to 32 bytes,
    /// so a hex or base64 text file works as well as raw bytes).
    pub fn from_material(material: &[u8]) -> std::result::Result<Self, String> {
        if material.len() < MIN_KEY_FILE_BYTES {
            return Err(format!(
                "the secrets key is {} bytes; it must be at least {MIN_KEY_FILE_BYTES}",
                material.len()
            ));
        }
        let key = Sha256::digest(material);
        Ok(Self(Arc::new(XChaCha20Poly1305::new(&key))))
    }

    /// A fresh random key, for tests and examples that never restart.
    pub fn random() -> Self {
        Self(Arc::new(XChaCha20Poly1305::new(
            &XChaCha20Poly1305::generate_key(&mut OsRng),
        )))
    }

    /// The key in `file`, which the operator made.
    pub fn read(file: &Path) -> std::result::Result<Self, String> {
        let material =
            std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        Self::from_material(&material).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// The key in `file`, generated once (mode 0600 from creation) when it does not exist.
    pub fn load_or_create(file: &Path) -> std::result::Result<Self, String> {
        let material = crate::auth::load_or_create_secret(file)
            .map_err(|e| format!("creating {}: {e}", file.display()))?;
        Self::from_material(&material).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// `plain` encrypted, with a fresh nonce each time.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(&nonce, plain.as_bytes())
            .expect("XChaCha20-Poly1305 encrypts any length we store");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret a `seal` made. Fails on anything else, or when it was sealed with another
    /// key or changed since.
    pub fn open(&self, stored: &str) -> Result<String> {
        let refused = || {
            Error::Internal(
                "a stored secret cannot be opened: was the secrets key changed? Enter the secret \
                 again"
                    .into(),
            )
        };
        let encoded = stored.strip_prefix(PREFIX).ok_or_else(refused)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| refused())?;
        if bytes.len() < NONCE_BYTES {
            return Err(refused());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| refused())?;
        String::from_utf8(plain).map_err(|_| refused())
    }

    /// Bytes (a resident's document) encrypted, bound to `context` (the document's id), so a
    /// sealed file copied onto another row does not open. Stored form: nonce || ciphertext.
    pub fn seal_bytes(&self, plain: &[u8], context: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any length we store");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        bytes
    }

    /// The bytes a `seal_bytes` with the same `context` made.
    pub fn open_bytes(&self, stored: &[u8], context: &str) -> Result<Vec<u8>> {
        let refused = || Error::Internal("a stored document cannot be opened".into());
        if stored.len() < NONCE_BYTES {
            return Err(refused());
        }
        let (nonce, sealed) = stored.split_at(NONCE_BYTES);
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| refused())
    }

    /// Whether `stored` is sealed; anything else is a secret stored before sealing existed.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = SecretsKey::from_material(&[7u8; 32]).unwrap();
        let sealed = key.seal("zgw-geheim");
        assert!(SecretsKey::is_sealed(&sealed));
        assert!(!sealed.contains("zgw-geheim"));
        assert_ne!(sealed, key.seal("zgw-geheim"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "zgw-geheim");
        let other = SecretsKey::from_material(&[8u8; 32]).unwrap();
        assert!(other.open(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(key.open(&tampered).is_err());
        assert!(key.open("zgw-geheim").is_err());
        assert!(key.open("sealed:v1:").is_err());
    }

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_context() {
        let key = SecretsKey::from_material(&[7u8; 32]).unwrap();
        let sealed = key.seal_bytes(b"paspoort-scan", "doc-1");
        assert!(!sealed.windows(8).any(|w| w == b"paspoort"));
        assert_eq!(key.open_bytes(&sealed, "doc-1").unwrap(), b"paspoort-scan");
        assert!(key.open_bytes(&sealed, "doc-2").is_err());
        let other = SecretsKey::from_material(&[8u8; 32]).unwrap();
        assert!(other.open_bytes(&sealed, "doc-1").is_err());
        assert!(key.open_bytes(b"short", "doc-1").is_err());
    }

    #[test]
    fn short_key_material_is_refused() {
        assert!(SecretsKey::from_material(b"short").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_default_key_file_is_private_and_stable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.key");
        let key = SecretsKey::load_or_create(&file).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = SecretsKey::load_or_create(&file).unwrap();
        assert_eq!(again.open(&key.seal("x")).unwrap(), "x");
        assert!(SecretsKey::read(&dir.path().join("missing.key")).is_err());
    }
}
