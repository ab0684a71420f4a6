//! The HTTP client for calls to systems an admin configured (the case store). Guards against
//! SSRF: internal addresses (see `domain::outbound`) are refused on the address a name
//! RESOLVES to, at connect time, so a name that answers with a public address when checked and
//! a loopback address when used (DNS rebinding) does not pass; IP-literal URLs, which skip the
//! resolver, are checked before the request. No redirects, no proxy, answers read up to a cap.

use crate::domain::outbound::OutboundRule;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Method, RequestBuilder, Response, Url};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The most of an answer that is read; a store that sends more is treated as failing.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why a call was not made or its answer not read.
#[derive(Debug, thiserror::Error)]
pub enum OutboundRefusal {
    #[error(
        "{host} is an internal address ({ip}); the platform operator can allow it with \
         --case-store-allow"
    )]
    Internal { host: String, ip: IpAddr },
    #[error("{0} is not a valid http(s) URL")]
    BadUrl(String),
    #[error("the answer is larger than {} bytes", MAX_ANSWER_BYTES)]
    TooLarge,
}

/// A resolver that drops every address the rule refuses; none left is an error, so the
/// connection is never attempted.
pub struct CheckedResolver {
    rule: Arc<OutboundRule>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let rule = self.rule.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = allowed_addresses(&rule, &host, &found)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The resolved addresses the rule allows; an error naming the first refused one if none is.
fn allowed_addresses(
    rule: &OutboundRule,
    host: &str,
    found: &[SocketAddr],
) -> Result<Vec<SocketAddr>, OutboundRefusal> {
    let allowed: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| rule.allows(host, a.ip()))
        .collect();
    match (allowed.is_empty(), found.first()) {
        (true, Some(first)) => Err(OutboundRefusal::Internal {
            host: host.to_string(),
            ip: first.ip(),
        }),
        _ => Ok(allowed),
    }
}

/// A client with the rule built in. Cheap to clone.
#[derive(Clone)]
pub struct OutboundHttp {
    client: reqwest::Client,
    rule: Arc<OutboundRule>,
}

impl OutboundHttp {
    pub fn new(rule: OutboundRule, timeout: Duration) -> Self {
        let rule = Arc::new(rule);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("videoloket")
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect on our behalf, past the resolver's check.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver { rule: rule.clone() }))
            .build()
            .expect("a reqwest client with rustls and a resolver builds");
        Self { client, rule }
    }

    /// A request to `url`, refused before anything is sent when the URL names an internal IP
    /// address directly (such URLs do not go through the resolver).
    pub fn request(&self, method: Method, url: &str) -> Result<RequestBuilder, OutboundRefusal> {
        let parsed = Url::parse(url).map_err(|_| OutboundRefusal::BadUrl(url.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OutboundRefusal::BadUrl(url.to_string()));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| OutboundRefusal::BadUrl(url.to_string()))?;
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        if let Some(ip) = literal {
            let host = ip.to_string();
            if !self.rule.allows(&host, ip) {
                return Err(OutboundRefusal::Internal { host, ip });
            }
        }
        Ok(self.client.request(method, parsed))
    }
}

/// The answer's body, read chunk by chunk and given up on beyond `MAX_ANSWER_BYTES`.
pub async fn read_capped(mut response: Response) -> Result<Vec<u8>, ReadFailure> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(ReadFailure::Refused(OutboundRefusal::TooLarge));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadFailure::Transport)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ReadFailure::Refused(OutboundRefusal::TooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error(transparent)]
    Refused(OutboundRefusal),
    #[error("reading the answer: {0}")]
    Transport(reqwest::Error),
}

/// The refusal behind a failed request, if the resolver refused the address.
pub fn refusal_in(error: &reqwest::Error) -> Option<&OutboundRefusal> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(refusal) = e.downcast_ref::<OutboundRefusal>() {
            return Some(refusal);
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(raw: &str) -> SocketAddr {
        SocketAddr::new(raw.parse().unwrap(), 0)
    }

    #[test]
    fn a_name_resolving_only_to_internal_addresses_is_refused() {
        let rule = OutboundRule::public_only();
        let refused = allowed_addresses(&rule, "rebind.example", &[addr("127.0.0.1")]);
        assert!(matches!(refused, Err(OutboundRefusal::Internal { .. })));
        let refused = allowed_addresses(&rule, "x", &[addr("::ffff:169.254.169.254")]);
        assert!(matches!(refused, Err(OutboundRefusal::Internal { .. })));
        // Mixed answers: only the public address is kept.
        let kept = allowed_addresses(&rule, "x", &[addr("10.0.0.1"), addr("8.8.8.8")]).unwrap();
        assert_eq!(kept, vec![addr("8.8.8.8")]);
        let allowed = OutboundRule::parse("rebind.example").unwrap();
        assert_eq!(
            allowed_addresses(&allowed, "rebind.example", &[addr("127.0.0.1")]).unwrap(),
            vec![addr("127.0.0.1")]
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_localhost() {
        let resolver = CheckedResolver {
            rule: Arc::new(OutboundRule::public_only()),
        };
        let refused = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        assert!(
            refused.to_string().contains("internal address"),
            "{refused}"
        );
    }

    #[test]
    fn ip_literals_are_checked_before_sending() {
        let http = OutboundHttp::new(OutboundRule::public_only(), Duration::from_secs(1));
        for url in [
            "http://127.0.0.1:9/x",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.1]:9/",
            "http://0.0.0.0/",
            "http://2130706433/",
        ] {
            assert!(
                matches!(
                    http.request(Method::GET, url),
                    Err(OutboundRefusal::Internal { .. })
                ),
                "{url}"
            );
        }
        assert!(http.request(Method::GET, "file:///etc/passwd").is_err());
        assert!(http.request(Method::GET, "http://8.8.8.8/").is_ok());
        assert!(http
            .request(Method::GET, "https://openzaak.example.nl/")
            .is_ok());
    }
}
