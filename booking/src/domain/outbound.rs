//! Which addresses the platform may call out to (a municipality's case store). An admin types
//! the URL, so without a rule an admin could make the server call its own loopback services,
//! the cloud metadata address or the internal network (SSRF). Internal addresses are refused
//! unless the operator allows them in the platform config.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Networks that are not the public internet: loopback, private, shared (CGNAT), link-local,
/// multicast, unspecified, broadcast, documentation, benchmarking and reserved ranges.
const INTERNAL: &[IpNet] = &[
    v4(0, 0, 0, 0, 8),                         // "this network", unspecified
    v4(10, 0, 0, 0, 8),                        // private
    v4(100, 64, 0, 0, 10),                     // shared address space (CGNAT)
    v4(127, 0, 0, 0, 8),                       // loopback
    v4(169, 254, 0, 0, 16),                    // link-local, cloud metadata
    v4(172, 16, 0, 0, 12),                     // private
    v4(192, 0, 0, 0, 24),                      // IETF protocol assignments
    v4(192, 0, 2, 0, 24),                      // documentation
    v4(192, 88, 99, 0, 24),                    // 6to4 relay anycast
    v4(192, 168, 0, 0, 16),                    // private
    v4(198, 18, 0, 0, 15),                     // benchmarking
    v4(198, 51, 100, 0, 24),                   // documentation
    v4(203, 0, 113, 0, 24),                    // documentation
    v4(224, 0, 0, 0, 4),                       // multicast
    v4(240, 0, 0, 0, 4),                       // reserved, broadcast
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128),         // unspecified
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128),         // loopback
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),      // discard
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),     // IETF protocol assignments (Teredo, benchmarking)
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),     // documentation
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),      // unique local
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),     // link-local
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),     // site-local (deprecated)
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),      // multicast
];

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> IpNet {
    IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), prefix)
}

const fn v6(s: [u16; 8], prefix: u8) -> IpNet {
    IpNet::new_assert(
        IpAddr::V6(Ipv6Addr::new(
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
        )),
        prefix,
    )
}

/// The IPv4 address an IPv6 address carries, for the forms that reach an IPv4 host:
/// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and
/// 6to4 (`2002:AABB:CCDD::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        _ => None,
    }
}

/// True when `ip` is not an address on the public internet (see `INTERNAL`), including the
/// IPv6 forms that carry such an IPv4 address.
pub fn is_internal(ip: IpAddr) -> bool {
    if INTERNAL.iter().any(|net| net.contains(&ip)) {
        return true;
    }
    match ip {
        IpAddr::V4(_) => false,
        IpAddr::V6(v6) => embedded_v4(v6).is_some_and(|v4| is_internal(IpAddr::V4(v4))),
    }
}

/// The operator's exceptions: host names and networks the platform may call although they
/// are internal (e.g. an Open Zaak on the municipality's own network).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundRule {
    hosts: Vec<String>,
    networks: Vec<IpNet>,
}

impl OutboundRule {
    /// Only public addresses.
    pub fn public_only() -> Self {
        Self::default()
    }

    /// A comma-separated list of host names, addresses and CIDR networks, e.g.
    /// `openzaak.intern, 10.1.0.0/16, ::1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut rule = Self::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bare = entry.trim_start_matches('[').trim_end_matches(']');
            if let Ok(net) = bare.parse::<IpNet>() {
                rule.networks.push(net.trunc());
            } else if let Ok(ip) = bare.parse::<IpAddr>() {
                rule.networks.push(IpNet::from(ip));
            } else if is_host_name(entry.trim_end_matches('.')) {
                rule.hosts.push(normal_host(entry));
            } else {
                return Err(format!(
                    "{entry:?} is not a host name, an IP address or a network like 10.0.0.0/8"
                ));
            }
        }
        Ok(rule)
    }

    /// Whether a call to `host` may connect to `ip`, which `host` resolved to (or is).
    pub fn allows(&self, host: &str, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        !is_internal(ip)
            || self.hosts.contains(&normal_host(host))
            || self
                .networks
                .iter()
                .any(|net| net.contains(&ip) || net.contains(&canonical))
    }
}

fn normal_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn is_host_name(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 253
        && raw.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for raw in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.7",
            "198.51.100.7",
            "203.0.113.7",
            "198.18.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            assert!(is_internal(ip(raw)), "{raw} is internal");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for raw in [
            "8.8.8.8",
            "145.97.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450::1",
            "::ffff:8.8.8.8",
            "2002:0808:0808::",
        ] {
            assert!(!is_internal(ip(raw)), "{raw} is public");
        }
    }

    #[test]
    fn the_operator_may_allow_hosts_and_networks() {
        let rule = OutboundRule::parse(" openzaak.intern., 10.1.0.0/16, [::1] ,127.0.0.1").unwrap();
        assert!(rule.allows("OpenZaak.Intern", ip("10.9.9.9")));
        assert!(rule.allows("other", ip("10.1.200.3")));
        assert!(!rule.allows("other", ip("10.2.0.1")));
        assert!(rule.allows("other", ip("::1")));
        assert!(rule.allows("other", ip("127.0.0.1")));
        assert!(rule.allows("other", ip("::ffff:127.0.0.1")));
        assert!(!rule.allows("other", ip("127.0.0.2")));
        assert!(rule.allows("other", ip("8.8.8.8")));
        let none = OutboundRule::public_only();
        assert!(!none.allows("localhost", ip("127.0.0.1")));
        assert!(!none.allows("metadata", ip("169.254.169.254")));
        assert!(OutboundRule::parse("10.0.0.0/33").is_err());
        assert!(OutboundRule::parse("http://x").is_err());
        assert_eq!(OutboundRule::parse(" , ").unwrap(), none);
    }
}
