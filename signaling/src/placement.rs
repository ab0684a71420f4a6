//! Where a room's call runs when several instances share the work (issue 19): here, or on
//! another media node that this instance relays the participant's socket to (`relay.rs`). The
//! binary implements [`Placement`] with the registry in the database; without it every room
//! runs here.

use hmac::Mac;
use sha2::Sha256;
use std::future::Future;
use std::pin::Pin;

/// Where a room runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// On this instance's own SFU.
    Here,
    /// On another node, reached at `signal_url` (its `/ws`).
    Node { id: String, signal_url: String },
    /// No node takes the room now (all draining, full or gone): the client tries again.
    Nowhere,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The room registry as signalling needs it.
pub trait Placement: Send + Sync {
    /// The node `room` runs on, placing it when it runs nowhere yet (or only on `excluded`,
    /// a node this instance just failed to reach).
    fn place<'a>(&'a self, room: &'a str, excluded: Option<&'a str>) -> BoxFuture<'a, Destination>;

    /// `node` refused a connection or did not answer in time: its rooms are to be placed
    /// again.
    fn unreachable<'a>(&'a self, room: &'a str, node: &'a str) -> BoxFuture<'a, ()>;
}

/// Authenticates one instance to another on a relayed socket: the bearer an instance presents
/// is an HMAC of a fixed label under the secret every instance shares (the room-token
/// secret), so no further secret has to be configured. A relayed socket's
/// `X-Forwarded-For` is believed only with it.
#[derive(Clone)]
pub struct ClusterKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for ClusterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterKey(..)")
    }
}

const LABEL: &[u8] = b"videoloket relayed signalling v1";

impl ClusterKey {
    /// From the secret shared by every instance.
    pub fn derive(shared_secret: &[u8]) -> Self {
        Self {
            key: shared_secret.to_vec(),
        }
    }

    fn mac(&self) -> hmac::Hmac<Sha256> {
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(LABEL);
        mac
    }

    /// The `Authorization` header value a relaying instance sends.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", hex::encode(self.mac().finalize().into_bytes()))
    }

    /// Whether an `Authorization` header carries this key (compared in constant time).
    pub fn accepts(&self, header: Option<&str>) -> bool {
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return false;
        };
        let Ok(tag) = hex::decode(token.trim()) else {
            return false;
        };
        self.mac().verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::ClusterKey;

    #[test]
    fn only_the_same_secret_opens() {
        let key = ClusterKey::derive(b"0123456789abcdef0123456789abcdef");
        let other = ClusterKey::derive(b"0123456789abcdef0123456789abcdeX");
        let bearer = key.bearer();
        assert!(key.accepts(Some(&bearer)));
        assert!(!other.accepts(Some(&bearer)));
        assert!(!key.accepts(None));
        assert!(!key.accepts(Some("Bearer ")));
        assert!(!key.accepts(Some("Bearer zz")));
        assert!(!key.accepts(Some(bearer.trim_start_matches("Bearer "))));
        let mut tampered = bearer.clone();
        tampered.pop();
        tampered.push(if bearer.ends_with('0') { '1' } else { '0' });
        assert!(!key.accepts(Some(&tampered)));
    }
}
