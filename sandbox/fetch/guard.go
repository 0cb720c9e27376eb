package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// specialRange is an address range requests are refused by default, with
// the reason given in refusals.
type specialRange struct {
	prefix netip.Prefix
	reason string
}

// specialRanges are the address ranges no request goes to unless allowed
// explicitly: everything that is not a public unicast address on the
// Internet, and well-known metadata endpoints. The first range holding an
// address names the reason, so narrower ranges come first.
var specialRanges = func() []specialRange {
	list := []struct{ cidr, reason string }{
		{"0.0.0.0/8", "unspecified or \"this network\" address"},
		{"10.0.0.0/8", "private address"},
		{"100.64.0.0/10", "carrier-grade NAT address"},
		{"127.0.0.0/8", "loopback address"},
		{"169.254.0.0/16", "link-local address (cloud metadata endpoints live here)"},
		{"172.16.0.0/12", "private address"},
		{"192.0.0.0/24", "IETF protocol assignment"},
		{"192.0.2.0/24", "documentation address"},
		{"192.88.99.0/24", "6to4 relay anycast address"},
		{"192.168.0.0/16", "private address"},
		{"198.18.0.0/15", "benchmarking address"},
		{"198.51.100.0/24", "documentation address"},
		{"203.0.113.0/24", "documentation address"},
		{"224.0.0.0/4", "multicast address"},
		{"255.255.255.255/32", "broadcast address"},
		{"240.0.0.0/4", "reserved address"},
		{"168.63.129.16/32", "cloud platform endpoint"},
		{"::/128", "unspecified address"},
		{"::1/128", "loopback address"},
		{"64:ff9b::/96", "NAT64 address"},
		{"64:ff9b:1::/48", "NAT64 address"},
		{"100::/64", "discard-only address"},
		{"2001::/32", "Teredo address"},
		{"2001:2::/48", "benchmarking address"},
		{"2001:10::/28", "ORCHID address"},
		{"2001:20::/28", "ORCHID address"},
		{"2001:db8::/32", "documentation address"},
		{"2002::/16", "6to4 address"},
		{"fc00::/7", "private (unique local) address"},
		{"fe80::/10", "link-local address"},
		{"fec0::/10", "site-local address"},
		{"ff00::/8", "multicast address"},
	}
	ranges := make([]specialRange, len(list))
	for i, r := range list {
		ranges[i] = specialRange{netip.MustParsePrefix(r.cidr), r.reason}
	}
	return ranges
}()

// Guard decides which addresses requests may connect to. By default it
// refuses every special-purpose address (loopback, private, link-local,
// carrier-grade NAT, multicast, unspecified, reserved, documentation,
// NAT64, 6to4, Teredo, ...), IPv4-mapped IPv6 forms included; hosts and
// networks on its allow-list are let through.
//
// The check is made on the address actually dialled, after DNS resolution,
// so a name that resolves to a refused address is refused too, and a DNS
// answer cannot change between the check and the connection.
//
// A Guard is immutable and safe for concurrent use.
type Guard struct {
	hosts map[string]bool
	nets  []netip.Prefix
}

// NewGuard returns a Guard allowing, besides public addresses, the given
// host names (matched case-insensitively, without port) and networks in CIDR
// notation or single IP addresses.
func NewGuard(allow ...string) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			return nil, fmt.Errorf("fetch: empty allow-list entry")
		case strings.Contains(a, "/"):
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("fetch: allow-list entry %q: %v", a, err)
			}
			g.nets = append(g.nets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil {
				g.nets = append(g.nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			g.hosts[strings.ToLower(strings.TrimSuffix(a, "."))] = true
		}
	}
	return g, nil
}

// AllowsHost reports whether host (a name or an IP literal, without port) is
// on the allow-list by name.
func (g *Guard) AllowsHost(host string) bool {
	return g.hosts[strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))]
}

// Check returns nil if requests may connect to ip, or a *BlockedError
// saying why not.
func (g *Guard) Check(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	for _, p := range g.nets {
		if p.Contains(ip) {
			return nil
		}
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(ip) {
			return &BlockedError{Addr: ip.String(), Reason: r.reason}
		}
	}
	return nil
}

// DialContext returns a dial function for an http.Transport that applies
// the guard to every connection: allow-listed host names are dialled as they
// are; any other name is resolved and each address checked just before the
// connection is made.
func (g *Guard) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	checked := *d
	checked.Control = func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return &BlockedError{Addr: host, Reason: "not an IP address"}
		}
		return g.Check(ip)
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err == nil && g.AllowsHost(host) {
			return d.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}
