package fetch_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/hookengine/hookengine/sandbox/fetch"
)

// A server's own client paced by the same throttle as its hooks.
func ExampleTransport() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "9")
		io.WriteString(w, "ok")
	}))
	defer api.Close()

	base := &http.Transport{}
	defer base.CloseIdleConnections()
	th := fetch.NewThrottle(fetch.ThrottleOptions{})
	client := &http.Client{Transport: &fetch.Transport{Base: base, Throttle: th}}

	resp, err := client.Get(api.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), th.Stats().Requests)
	// Output: 200 ok 1
}

// The Guard names why it refuses an address.
func ExampleGuard_Check() {
	g, _ := fetch.NewGuard("10.1.0.0/16")
	for _, ip := range []string{"169.254.169.254", "10.1.2.3", "10.2.0.1", "93.184.216.34"} {
		fmt.Println(ip, g.Check(netip.MustParseAddr(ip)))
	}
	// Output:
	// 169.254.169.254 refused to connect to 169.254.169.254: link-local address (cloud metadata endpoints live here) (allow it explicitly to reach it)
	// 10.1.2.3 <nil>
	// 10.2.0.1 refused to connect to 10.2.0.1: private address (allow it explicitly to reach it)
	// 93.184.216.34 <nil>
}
