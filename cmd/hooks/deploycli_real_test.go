package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookengine/hookengine/mgmtapi"
)

// The real Deploy CLI, pinned by testdata/deploy-cli/package-lock.json and
// installed there by npm ci (.ci/run does it).
const deployCLIDir = "../../testdata/deploy-cli"

// envDeployCLITest runs TestRealDeployCLI: it takes minutes (each run of
// the Deploy CLI starts Node and compiles its schemas), so go test ./...
// skips it unless this is set.
const envDeployCLITest = "HOOKENGINE_DEPLOY_CLI_TEST"

// TestRealDeployCLI runs Auth0's Deploy CLI, unchanged, against hooks serve
// over HTTPS (the development certificate, trusted through
// NODE_EXTRA_CA_CERTS) with client credentials (POST /oauth/token): import
// of a YAML tenant whose names have capitals, spaces and digits, a second
// import that changes nothing, an export to the directory format and its
// import, which keeps the secrets.
func TestRealDeployCLI(t *testing.T) {
	if os.Getenv(envDeployCLITest) == "" {
		t.Skipf("set %s=1 to run the real Deploy CLI (after: cd testdata/deploy-cli && npm ci)", envDeployCLITest)
	}
	a0deploy, err := filepath.Abs(filepath.Join(deployCLIDir, "node_modules", ".bin", "a0deploy"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a0deploy); err != nil {
		t.Fatalf("the Deploy CLI is not installed (cd testdata/deploy-cli && npm ci): %v", err)
	}
	const clientID, clientSecret = "deploy-cli", "a-long-client-secret-for-ci"
	sum := sha256.Sum256([]byte(clientSecret))
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf(`dev: true
tls:
  self_signed: true
oauth:
  clients:
    - client_id: %s
      client_secret_sha256: %s
      scopes: [read:hooks, create:hooks, update:hooks, delete:hooks, run:hooks]
`, clientID, hex.EncodeToString(sum[:])))
	s := startServer(t, "--config", cfg)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("not HTTPS: %s", s.url)
	}
	cert := filepath.Join(dir, "data", "dev-tls-cert.pem")
	if !strings.Contains(s.stdout.String(), "NODE_EXTRA_CA_CERTS="+cert) {
		t.Fatalf("no NODE_EXTRA_CA_CERTS line:\n%s", s.stdout)
	}
	domain := strings.TrimPrefix(s.url, "https://")

	// An HTTPS client of this test, logged in as the Deploy CLI is.
	client := &http.Client{Transport: trusting(t, cert), Timeout: time.Minute}
	resp, err := client.PostForm(s.url+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {clientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	api, err := mgmtapi.NewClient(s.url, tok.AccessToken, client)
	if err != nil {
		t.Fatal(err)
	}

	cliConfig := filepath.Join(dir, "deploy-cli.json")
	b, _ := json.Marshal(map[string]any{
		"AUTH0_DOMAIN":                   domain,
		"AUTH0_CLIENT_ID":                clientID,
		"AUTH0_CLIENT_SECRET":            clientSecret,
		"AUTH0_INCLUDED_ONLY":            []string{"hooks"},
		"AUTH0_ALLOW_DELETE":             true,
		"AUTH0_KEYWORD_REPLACE_MAPPINGS": map[string]string{"API_KEY": "sk-test-0123456789"},
	})
	if err := os.WriteFile(cliConfig, b, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, a0deploy, append(args, "-c", cliConfig)...)
		cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+cert)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("a0deploy %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// state describes every hook: id, trigger, enabled, secret names and
	// script, by name.
	state := func() map[string]string {
		t.Helper()
		hooks, err := api.ListHooks(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, h := range hooks {
			full, err := api.GetHook(context.Background(), h.ID)
			if err != nil {
				t.Fatal(err)
			}
			secrets, err := api.Secrets(context.Background(), h.ID)
			if err != nil {
				t.Fatal(err)
			}
			m[h.Name] = fmt.Sprintf("%s|%s|%v|%v|%s", h.ID, h.TriggerID, h.Enabled, slices.Sorted(maps.Keys(secrets)), full.Script)
		}
		return m
	}
	// secretProof runs the audit hook: the length and first two characters
	// of its secret.
	secretProof := func() string {
		t.Helper()
		input, _ := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
		res, err := api.RunTrigger(context.Background(), "credentials-exchange", json.RawMessage(input))
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		json.Unmarshal(res.Data, &claims)
		s, _ := claims["https://example.com/key"].(string)
		return s
	}

	tenant, _ := filepath.Abs(filepath.Join(deployCLIDir, "tenant", "tenant.yaml"))
	out := run("import", "-i", tenant)
	first := state()
	// The Deploy CLI sends names lower-cased with spaces turned into '-';
	// the server keeps exactly what it sent, digits included.
	if got := slices.Sorted(maps.Keys(first)); !slices.Equal(got, []string{"audit-hook-v2", "test-hook735"}) {
		t.Fatalf("names after the import: %v\n%s", got, out)
	}
	if !strings.Contains(first["audit-hook-v2"], "|[API_KEY]|") {
		t.Errorf("the secret was not set: %s\n%s", first["audit-hook-v2"], out)
	}
	if got := secretProof(); got != "18:sk" {
		t.Errorf("the hook reads its secret as %q, want 18:sk", got)
	}

	// The same import again changes nothing: same ids, no creation.
	out = run("import", "-i", tenant)
	if again := state(); !maps.Equal(again, first) {
		t.Errorf("a second import changed the hooks:\n%v\nwant\n%v\n%s", again, first, out)
	}
	if strings.Contains(out, "Created [hooks]") || strings.Contains(out, "Deleted [hooks]") {
		t.Errorf("a second import created or deleted hooks:\n%s", out)
	}

	// Export to the directory format, then import it: secrets are exported
	// hidden, and the import keeps their values.
	export := filepath.Join(dir, "export")
	out = run("export", "-f", "directory", "-o", export)
	js, err := os.ReadFile(filepath.Join(export, "hooks", "audit-hook-v2.json"))
	if err != nil || !strings.Contains(string(js), `"API_KEY": "_VALUE_NOT_SHOWN_"`) {
		t.Fatalf("exported audit-hook-v2.json: %v\n%s\n%s", err, js, out)
	}
	out = run("import", "-i", export)
	if after := state(); !maps.Equal(after, first) {
		t.Errorf("importing the export changed the hooks:\n%v\nwant\n%v\n%s", after, first, out)
	}
	if got := secretProof(); got != "18:sk" {
		t.Errorf("after importing the export, the hook reads its secret as %q, want 18:sk", got)
	}
}
