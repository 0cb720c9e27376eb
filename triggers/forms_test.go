package triggers

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIsAllowedActionClaim(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"https://example.com/plan", true},
		{"plan", true},
		{"favorite_color", true},
		{"sub", false},
		{"aud", false},
		{"scope", false},
		{"permissions", false},
		{"x5t#S256", false},
		{"https://auth0.com/x", false},
		{"https://tenant.webtask.run/x", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsAllowedActionClaim(tt.name); got != tt.want {
			t.Errorf("IsAllowedActionClaim(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOutcomeOfForm(t *testing.T) {
	env := Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"scope":["a"],"plan":"gold","sub":"x","https://example.com/c":1}`)}
	ce, _ := Lookup(CredentialsExchange)
	hook := ce.OutcomeOf(FormHook, env).(*CredentialsExchangeOutcome)
	action := ce.OutcomeOf(FormAction, env).(*CredentialsExchangeOutcome)
	if !reflect.DeepEqual(hook.Claims, map[string]any{"https://example.com/c": 1.0}) || !reflect.DeepEqual(hook.Ignored, []string{"plan", "sub"}) {
		t.Errorf("hook outcome %+v", hook)
	}
	if !reflect.DeepEqual(action.Claims, map[string]any{"https://example.com/c": 1.0, "plan": "gold"}) || !reflect.DeepEqual(action.Ignored, []string{"sub"}) {
		t.Errorf("action outcome %+v", action)
	}
	// The form matters on no other point.
	pur, _ := Lookup(PreUserRegistration)
	env = Envelope{Status: StatusSuccess, Data: json.RawMessage(`{"user":{"app_metadata":{"plan":"gold"}}}`)}
	if a, b := pur.OutcomeOf(FormAction, env), pur.OutcomeOf(FormHook, env); !reflect.DeepEqual(a, b) {
		t.Errorf("pre-user-registration outcomes differ: %+v, %+v", a, b)
	}
}

func TestReservedAppMetadata(t *testing.T) {
	pur, _ := Lookup(PreUserRegistration)
	for _, tt := range []struct {
		data, failure string
	}{
		{`{"user":{"app_metadata":{"plan":"gold","email":"x"}}}`, `metadata property "email" in user.app_metadata is reserved by Auth0`},
		{`{"user":{"user_metadata":{"email":"x"}}}`, ""},             // only app_metadata has reserved names
		{`{"user":{"app_metadata":{"prefs":{"blocked":true}}}}`, ""}, // top level only
	} {
		o := pur.Outcome(Envelope{Status: StatusSuccess, Data: json.RawMessage(tt.data)}).(*PreUserRegistrationOutcome)
		got := ""
		if o.Failure != nil {
			got = o.Failure.Message
		}
		if got != tt.failure {
			t.Errorf("%s: failure %q, want %q", tt.data, got, tt.failure)
		}
	}
}

func TestParseForm(t *testing.T) {
	for _, s := range []string{"", "hook", "action", "rule"} {
		if f, err := ParseForm(s); err != nil || string(f) != s {
			t.Errorf("ParseForm(%q) = %q, %v", s, f, err)
		}
	}
	if _, err := ParseForm("rules"); err == nil {
		t.Error("ParseForm(rules) succeeded")
	}
}

func TestRuleArityAndHandlers(t *testing.T) {
	for _, tr := range All() {
		if !strings.HasPrefix(tr.ActionHandler(), "onExecute") {
			t.Errorf("%s: handler %q", tr.ID, tr.ActionHandler())
		}
		if err := tr.RuleArity(len(tr.Params)); err != nil {
			t.Errorf("%s: %v", tr.ID, err)
		}
		if err := tr.RuleArity(len(tr.Params) - 1); err == nil {
			t.Errorf("%s: arity %d accepted", tr.ID, len(tr.Params)-1)
		}
	}
}

// fakeNow is a settable clock for the cache.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func TestActionCache(t *testing.T) {
	clk := &fakeNow{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	c := NewActionCache(clk.now)
	if code := c.Set("a", "1", time.Minute, 0); code != "" {
		t.Fatal(code)
	}
	if code := c.Set("b", "2", 0, 0); code != "" {
		t.Fatal(code)
	}
	if r, ok := c.Get("a"); !ok || r.Value != "1" || r.ExpiresAt != clk.now().Add(time.Minute).UnixMilli() {
		t.Fatalf("Get(a) = %+v, %v", r, ok)
	}
	clk.add(time.Minute)
	if _, ok := c.Get("a"); ok {
		t.Error("a outlived its ttl")
	}
	if r, ok := c.Get("b"); !ok || r.ExpiresAt != clk.now().Add(CacheMaxLifetime-time.Minute).UnixMilli() {
		t.Errorf("b = %+v, %v; want the default lifetime", r, ok)
	}
	clk.add(CacheMaxLifetime)
	if c.Len() != 0 {
		t.Errorf("Len = %d after the longest lifetime", c.Len())
	}

	tests := []struct {
		key, value string
		ttl        time.Duration
		at         int64
		code       string
	}{
		{"", "v", 0, 0, CacheInvalidKey},
		{strings.Repeat("k", CacheMaxKeyBytes+1), "v", 0, 0, CacheKeyTooLarge},
		{strings.Repeat("k", CacheMaxKeyBytes), "v", 0, 0, ""},
		{"k", strings.Repeat("v", CacheMaxValueBytes+1), 0, 0, CacheValueTooLarge},
		{"k", strings.Repeat("v", CacheMaxValueBytes), 0, 0, ""},
		{"k", "v", -time.Second, 0, CacheInvalidOptions},
		{"k", "v", 0, -1, CacheInvalidOptions},
	}
	for _, tt := range tests {
		if code := c.Set(tt.key, tt.value, tt.ttl, tt.at); code != tt.code {
			t.Errorf("Set(%d-byte key, %d-byte value) = %q, want %q", len(tt.key), len(tt.value), code, tt.code)
		}
	}
	// Eviction keeps the bounds, dropping what expires first.
	c = NewActionCache(clk.now)
	for i := 0; i < CacheMaxEntries+5; i++ {
		c.Set(string(rune('a'+i)), "v", time.Duration(i+1)*time.Minute, 0)
	}
	if c.Len() != CacheMaxEntries {
		t.Errorf("Len = %d, want %d", c.Len(), CacheMaxEntries)
	}
	if _, ok := c.Get("a"); ok {
		t.Error("the record expiring first was kept")
	}
	if _, ok := c.Get(string(rune('a' + CacheMaxEntries + 4))); !ok {
		t.Error("the newest record was evicted")
	}
	c.Set("big1", strings.Repeat("x", CacheMaxValueBytes), time.Hour, 0)
	c.Set("big2", strings.Repeat("x", CacheMaxValueBytes), 2*time.Hour, 0)
	c.mu.Lock()
	size := c.size
	c.mu.Unlock()
	if size > CacheMaxTotalBytes {
		t.Errorf("size %d over %d", size, CacheMaxTotalBytes)
	}
	if _, ok := c.Get("big2"); !ok {
		t.Error("big2 was evicted")
	}
	c.Delete("big2")
	if _, ok := c.Get("big2"); ok {
		t.Error("Delete left big2")
	}
}
