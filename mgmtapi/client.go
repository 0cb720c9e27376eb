package mgmtapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Hook is a hook as the API shows it: Auth0's hook resource.
type Hook struct {
	// ID is the hook's 26-character id.
	ID string `json:"id"`
	// Name is the hook's name, exactly as it was sent.
	Name string `json:"name"`
	// Script is the hook's JavaScript source.
	Script string `json:"script"`
	// Dependencies are npm package versions by name; {} when none.
	Dependencies map[string]string `json:"dependencies"`
	// Enabled reports whether the hook runs for its trigger.
	Enabled bool `json:"enabled"`
	// TriggerID is the hook's extensibility point.
	TriggerID string `json:"triggerId"`
}

// CreateHookRequest is the body of POST /api/v2/hooks.
type CreateHookRequest struct {
	// Name, Script and TriggerID are required.
	Name      string `json:"name"`
	Script    string `json:"script"`
	TriggerID string `json:"triggerId"`
	// Enabled defaults to false; true disables the enabled hook of the
	// trigger.
	Enabled *bool `json:"enabled,omitempty"`
	// Dependencies are npm package versions by name. Optional.
	Dependencies map[string]string `json:"dependencies,omitempty"`
}

// UpdateHookRequest is the body of PATCH /api/v2/hooks/{id}: nil fields are
// left out, and so left unchanged. An empty non-nil Dependencies removes
// every dependency.
type UpdateHookRequest struct {
	// Name renames the hook.
	Name *string `json:"name,omitempty"`
	// Script replaces the script.
	Script *string `json:"script,omitempty"`
	// Enabled enables or disables the hook.
	Enabled *bool `json:"enabled,omitempty"`
	// Dependencies replace the dependencies when not nil.
	Dependencies map[string]string `json:"dependencies,omitzero"`
}

// Client calls a hookengine server's (or Auth0's) hooks endpoints. It is
// safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// NewClient returns a client of the server at baseURL (such as
// "http://127.0.0.1:8080"), authenticating with the bearer token. A nil
// httpClient means http.DefaultClient.
func NewClient(baseURL, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("mgmtapi: server URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("mgmtapi: server URL %q is not an http(s) URL", baseURL)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: u, token: token, http: httpClient}, nil
}

// do sends a request and decodes a successful JSON answer into out (when
// not nil). An error response is returned as an *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("mgmtapi: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("mgmtapi: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{}
		if json.Unmarshal(data, e) != nil || e.StatusCode == 0 {
			e = &Error{StatusCode: resp.StatusCode, Err: http.StatusText(resp.StatusCode), Message: strings.TrimSpace(string(data))}
		}
		return e
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mgmtapi: %s %s: the answer is not the expected JSON: %w", method, path, err)
	}
	return nil
}

func hookPath(id string) string { return HooksPath + "/" + url.PathEscape(id) }

// ListHooks returns every hook, reading all pages; the list does not hold
// secrets.
func (c *Client) ListHooks(ctx context.Context) ([]Hook, error) {
	var all []Hook
	for page := 0; ; page++ {
		var p struct {
			Total int    `json:"total"`
			Hooks []Hook `json:"hooks"`
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(MaxPerPage)}, "include_totals": {"true"}}
		if err := c.do(ctx, http.MethodGet, HooksPath, q, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Hooks...)
		if len(p.Hooks) == 0 || len(all) >= p.Total {
			return all, nil
		}
	}
}

// GetHook returns the hook with the given id.
func (c *Client) GetHook(ctx context.Context, id string) (*Hook, error) {
	var h Hook
	if err := c.do(ctx, http.MethodGet, hookPath(id), nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// CreateHook creates a hook.
func (c *Client) CreateHook(ctx context.Context, in CreateHookRequest) (*Hook, error) {
	var h Hook
	if err := c.do(ctx, http.MethodPost, HooksPath, nil, in, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// UpdateHook changes a hook.
func (c *Client) UpdateHook(ctx context.Context, id string, in UpdateHookRequest) (*Hook, error) {
	var h Hook
	if err := c.do(ctx, http.MethodPatch, hookPath(id), nil, in, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// DeleteHook deletes a hook.
func (c *Client) DeleteHook(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, hookPath(id), nil, nil, nil)
}

// Secrets returns the hook's secrets, every value hidden as
// store.HiddenSecretValue.
func (c *Client) Secrets(ctx context.Context, id string) (map[string]string, error) {
	s := map[string]string{}
	if err := c.do(ctx, http.MethodGet, hookPath(id)+"/secrets", nil, nil, &s); err != nil {
		return nil, err
	}
	return s, nil
}

// AddSecrets adds secrets to a hook.
func (c *Client) AddSecrets(ctx context.Context, id string, secrets map[string]string) error {
	return c.do(ctx, http.MethodPost, hookPath(id)+"/secrets", nil, secrets, nil)
}

// UpdateSecrets changes the values of existing secrets of a hook.
func (c *Client) UpdateSecrets(ctx context.Context, id string, secrets map[string]string) error {
	return c.do(ctx, http.MethodPatch, hookPath(id)+"/secrets", nil, secrets, nil)
}

// DeleteSecrets removes secrets of a hook by name.
func (c *Client) DeleteSecrets(ctx context.Context, id string, names []string) error {
	return c.do(ctx, http.MethodDelete, hookPath(id)+"/secrets", nil, names, nil)
}

// RunHook runs the hook with the given id on input (the trigger's request
// body, any value encoding/json encodes; json.RawMessage as it is), through
// the hookengine extension.
func (c *Client) RunHook(ctx context.Context, id string, input any) (*RunResult, error) {
	var r RunResult
	if err := c.do(ctx, http.MethodPost, RunPrefix+"/hooks/"+url.PathEscape(id)+"/run", nil, input, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// RunTrigger runs the enabled hook of the trigger on input, through the
// hookengine extension. With no hook enabled it returns an *Error with
// ErrorCode CodeNoHookEnabled.
func (c *Client) RunTrigger(ctx context.Context, trigger string, input any) (*RunResult, error) {
	var r RunResult
	if err := c.do(ctx, http.MethodPost, RunPrefix+"/triggers/"+url.PathEscape(trigger)+"/run", nil, input, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
