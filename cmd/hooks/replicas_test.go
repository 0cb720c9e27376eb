package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/internal/testenv"
	"github.com/hookengine/hookengine/mgmtapi"
	"github.com/hookengine/hookengine/store"
)

// TestServeReplicas runs three hooks serve processes on one PostgreSQL
// schema and one Redis throttle, against a local API allowing 10 requests a
// second with Auth0's rate-limit headers, and checks what each part
// promises: concurrent enables of two hooks of one trigger through two
// replicas leave exactly one enabled; a script updated through one replica
// runs on another at its next run; hooks on all three calling the API as
// fast as they can send nothing past its limit after the first second, and
// no 429 reaches a script.
func TestServeReplicas(t *testing.T) {
	pgURL, schema := testenv.PostgresSchema(t)
	redisURL := testenv.RedisURL(t)
	prefix := testenv.Name("hookengine_test") + ":"
	t.Cleanup(func() {
		opts, err := redis.ParseURL(redisURL)
		if err != nil {
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		if keys, _ := rdb.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	api := enginetest.NewWindowServerAt(t, time.Now, 10)

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secrets.key")
	if err := os.WriteFile(keyFile, []byte(store.EncodeKey(store.GenerateKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "replica.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`secrets_key_file: %s
store: %s
store_schema: %s
throttle: %s
throttle_prefix: %q
network:
  allow_hosts: [127.0.0.1]
`, keyFile, pgURL, schema, redisURL, prefix)), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "replicas-test-token"
	var urls []string
	for i := range 3 {
		_, url, _, _ := startServe(t, token, "--config", cfg, "--data", filepath.Join(dir, fmt.Sprint("data-", i)))
		urls = append(urls, url)
	}

	create := func(url, name, script string, secrets map[string]string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"name": name, "script": script, "triggerId": "credentials-exchange"})
		var created map[string]any
		if code := call(t, "POST", url+"/api/v2/hooks", token, string(body), &created); code != 201 {
			t.Fatalf("POST %s: %d %v", name, code, created)
		}
		id, _ := created["id"].(string)
		if secrets != nil {
			b, _ := json.Marshal(secrets)
			if code := call(t, "POST", url+"/api/v2/hooks/"+id+"/secrets", token, string(b), nil); code != 201 && code != 200 {
				t.Fatalf("POST secrets of %s: %d", name, code)
			}
		}
		return id
	}
	script, err := os.ReadFile("../../testdata/hooks/fetch/replicas.js")
	if err != nil {
		t.Fatal(err)
	}
	one := create(urls[0], "caller one", claimScript("v1"), nil)
	two := create(urls[1], "caller two", string(script), map[string]string{"URL": api.URL})

	// Concurrent enables through different replicas: one hook enabled.
	for round := range 3 {
		var wg sync.WaitGroup
		for i, id := range []string{one, two} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := call(t, "PATCH", urls[(i+round)%3]+"/api/v2/hooks/"+id, token, `{"enabled":true}`, nil); code != 200 {
					t.Errorf("enable %s: %d", id, code)
				}
			}()
		}
		wg.Wait()
		var enabled []mgmtapi.Hook
		call(t, "GET", urls[2]+"/api/v2/hooks?enabled=true&triggerId=credentials-exchange", token, "", &enabled)
		if len(enabled) != 1 {
			t.Fatalf("round %d: %d hooks enabled, want 1", round, len(enabled))
		}
	}

	// A script changed through one replica runs on another at once.
	if code := call(t, "PATCH", urls[0]+"/api/v2/hooks/"+two, token, `{"enabled":false}`, nil); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if code := call(t, "PATCH", urls[0]+"/api/v2/hooks/"+one, token, `{"enabled":true}`, nil); code != 200 {
		t.Fatalf("enable: %d", code)
	}
	for _, v := range []string{"v2", "v3"} {
		body, _ := json.Marshal(map[string]string{"script": claimScript(v)})
		if code := call(t, "PATCH", urls[0]+"/api/v2/hooks/"+one, token, string(body), nil); code != 200 {
			t.Fatalf("PATCH script: %d", code)
		}
		changed := time.Now()
		for _, url := range urls[1:] {
			if got := runTrigger(t, &testServer{url: url, token: token})["https://example.com/version"]; got != v {
				t.Errorf("replica %s ran version %v right after the update (%v later), want %s", url, got, time.Since(changed), v)
			}
		}
		t.Logf("script %s, updated through one replica, ran on the two others within %v", v, time.Since(changed))
	}

	// Every replica's hooks call the API as fast as they can.
	if code := call(t, "PATCH", urls[2]+"/api/v2/hooks/"+two, token, `{"enabled":true}`, nil); code != 200 {
		t.Fatalf("enable the caller: %d", code)
	}
	input, err := os.ReadFile("../../testdata/inputs/credentials-exchange.json")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		statuses = map[string]int{}
		wg       sync.WaitGroup
	)
	end := time.Now().Add(3 * time.Second)
	for _, url := range urls {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					var res mgmtapi.RunResult
					code := call(t, "POST", url+"/hookengine/v1/triggers/credentials-exchange/run", token, string(input), &res)
					var claims map[string]string
					_ = json.Unmarshal(res.Data, &claims)
					mu.Lock()
					if code != 200 || res.Status != "success" {
						statuses[fmt.Sprintf("run %d %s", code, res.Status)]++
					}
					for _, s := range strings.Split(claims["https://example.com/statuses"], ",") {
						statuses[s]++
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	total, over := api.Requests()
	t.Logf("the API got %d requests (%d past its limit, %d after the first second); the scripts got %v",
		total, over, api.OverLimitAfterFirstWindow(), statuses)
	if n := api.OverLimitAfterFirstWindow(); n != 0 {
		t.Errorf("%d requests past the limit after the first second, want 0", n)
	}
	for s, n := range statuses {
		if s != "200" {
			t.Errorf("scripts got %q %d times; want only 200", s, n)
		}
	}
	if statuses["200"] < 20 {
		t.Errorf("only %d requests succeeded in 3 s at 10 a second", statuses["200"])
	}
}
