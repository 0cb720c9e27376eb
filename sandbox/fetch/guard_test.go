package fetch

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// One address from every refused range, and the reason given for it.
var refused = []struct {
	ip, reason string
}{
	{"0.0.0.0", "unspecified"},
	{"0.1.2.3", "unspecified"},
	{"10.1.2.3", "private"},
	{"100.64.0.1", "carrier-grade NAT"},
	{"100.127.255.254", "carrier-grade NAT"},
	{"127.0.0.1", "loopback"},
	{"127.255.0.9", "loopback"},
	{"169.254.169.254", "link-local"},
	{"172.16.0.1", "private"},
	{"172.31.255.255", "private"},
	{"192.0.0.8", "IETF protocol"},
	{"192.0.2.10", "documentation"},
	{"192.88.99.1", "6to4 relay"},
	{"192.168.1.1", "private"},
	{"198.18.0.1", "benchmarking"},
	{"198.51.100.7", "documentation"},
	{"203.0.113.5", "documentation"},
	{"224.0.0.251", "multicast"},
	{"239.255.255.250", "multicast"},
	{"240.0.0.1", "reserved"},
	{"255.255.255.255", "broadcast"},
	{"168.63.129.16", "cloud platform"},
	{"::", "unspecified"},
	{"::1", "loopback"},
	{"::ffff:127.0.0.1", "loopback"},
	{"::ffff:169.254.169.254", "link-local"},
	{"::ffff:10.0.0.1", "private"},
	{"64:ff9b::7f00:1", "NAT64"},
	{"64:ff9b:1::1", "NAT64"},
	{"100::1", "discard-only"},
	{"2001::1", "Teredo"},
	{"2001:2::1", "benchmarking"},
	{"2001:10::1", "ORCHID"},
	{"2001:20::1", "ORCHID"},
	{"2001:db8::1", "documentation"},
	{"2002:7f00:1::", "6to4"},
	{"fc00::1", "unique local"},
	{"fd12:3456::1", "unique local"},
	{"fe80::1", "link-local"},
	{"fe80::1%eth0", "link-local"},
	{"fec0::1", "site-local"},
	{"ff02::1", "multicast"},
}

func TestGuardRefusesSpecialAddresses(t *testing.T) {
	g, err := NewGuard()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range refused {
		err := g.Check(netip.MustParseAddr(tt.ip))
		var be *BlockedError
		if !errors.As(err, &be) || !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: Check = %v, want a *BlockedError", tt.ip, err)
			continue
		}
		if !strings.Contains(be.Reason, tt.reason) {
			t.Errorf("%s: reason %q does not say %q", tt.ip, be.Reason, tt.reason)
		}
	}
	for _, ip := range []string{"8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8"} {
		if err := g.Check(netip.MustParseAddr(ip)); err != nil {
			t.Errorf("public %s refused: %v", ip, err)
		}
	}
}

// Every refused address passes once its network, or the address itself, is
// allow-listed.
func TestGuardAllowList(t *testing.T) {
	for _, tt := range refused {
		ip := netip.MustParseAddr(tt.ip)
		single := ip.Unmap().WithZone("").String()
		prefix := netip.PrefixFrom(ip.Unmap().WithZone(""), ip.Unmap().BitLen()-4).Masked().String()
		for _, allow := range []string{single, prefix} {
			g, err := NewGuard(allow)
			if err != nil {
				t.Fatalf("NewGuard(%q): %v", allow, err)
			}
			if err := g.Check(ip); err != nil {
				t.Errorf("%s with %s allowed: %v", tt.ip, allow, err)
			}
		}
	}
	g, err := NewGuard("Internal.Example.", "[::1]")
	if err != nil {
		t.Fatal(err)
	}
	if !g.AllowsHost("internal.example") || !g.AllowsHost("INTERNAL.EXAMPLE.") || g.AllowsHost("example") {
		t.Error("host names must match case-insensitively, trailing dot ignored, exactly")
	}
	if err := g.Check(netip.MustParseAddr("::1")); err != nil {
		t.Errorf("[::1] allowed but refused: %v", err)
	}
	for _, bad := range []string{"", "10.0.0.0/33", "not a cidr/8"} {
		if _, err := NewGuard(bad); err == nil {
			t.Errorf("NewGuard(%q) accepted", bad)
		}
	}
}
