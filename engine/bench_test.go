package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// BenchmarkRunWarm measures a warm run of a typical hook with every limit
// armed: the engine's hot path. bench/ compares it with other engines.
// post-user-registration has the same shape as post-change-password; its
// fixture leaves a timer running after calling back, which keeps each
// runtime busy and so measures cold starts instead.
func BenchmarkRunWarm(b *testing.B) {
	cases := []struct {
		trigger triggers.ID
		script  string
	}{
		{triggers.CredentialsExchange, "credentials-exchange/claims.js"},
		{triggers.PreUserRegistration, "pre-user-registration/metadata.js"},
		{triggers.PostChangePassword, "post-change-password/audit.js"},
		{triggers.SendPhoneMessage, "send-phone-message/provider.js"},
	}
	e, err := engine.New()
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for _, c := range cases {
		b.Run(string(c.trigger), func(b *testing.B) {
			src, err := os.ReadFile(filepath.Join("..", "testdata", "hooks", c.script))
			if err != nil {
				b.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", string(c.trigger)+".json"))
			if err != nil {
				b.Fatal(err)
			}
			benchRuns(b, e, engine.Hook{Name: "bench", Trigger: c.trigger, Script: string(src)}, in)
		})
	}
}

// BenchmarkRunWarmForms measures a warm run of the same logic written as a
// Hook, as an Action and as a bare function (testdata/conformance): the
// cost of building event and api for an Action.
func BenchmarkRunWarmForms(b *testing.B) {
	e, err := engine.New()
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for _, c := range []struct {
		trigger triggers.ID
		name    string
	}{{triggers.CredentialsExchange, "claims"}, {triggers.PreUserRegistration, "metadata"}} {
		in, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", string(c.trigger)+".json"))
		if err != nil {
			b.Fatal(err)
		}
		for _, form := range []string{"hook", "action", "rule"} {
			b.Run(string(c.trigger)+"/"+form, func(b *testing.B) {
				src, err := os.ReadFile(filepath.Join("..", "testdata", "conformance", string(c.trigger), c.name+"."+form+".js"))
				if err != nil {
					b.Fatal(err)
				}
				benchRuns(b, e, engine.Hook{Name: "bench-" + form, Trigger: c.trigger, Script: string(src)}, in)
			})
		}
	}
}

// benchRuns runs h on input b.N times, each run required to succeed.
func benchRuns(b *testing.B, e *engine.Engine, h engine.Hook, input []byte) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := e.Run(context.Background(), h, input)
		if err != nil || !res.Envelope.Succeeded() {
			b.Fatalf("%v %s", err, res.Envelope.Data)
		}
	}
}
