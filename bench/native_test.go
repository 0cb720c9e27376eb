package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// nativeContender is the floor: a Go function doing what the hook does, on
// the same JSON text in and out, decoding into maps as the script's objects
// are. It has no engine, no isolation and no limits.
var nativeContender = contender{
	name: "native-go",
	supports: func(w *workload, m mode) bool {
		return m == warm && !w.Endless && nativeHooks[w.Name] != nil
	},
	open: func(tb testing.TB, w *workload, m mode) runner {
		return &nativeRunner{w: w, fn: nativeHooks[w.Name]}
	},
}

type nativeRunner struct {
	w  *workload
	fn func(input []byte, secrets map[string]string) (any, error)
}

func (r *nativeRunner) caller(testing.TB) func() (string, error) {
	return func() (string, error) {
		v, err := r.fn(r.w.input, r.w.secrets)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
}

func (r *nativeRunner) close() {}

// nativeHooks are the Go equivalents of the hooks in testdata/hooks, by
// workload name.
var nativeHooks = map[string]func(input []byte, secrets map[string]string) (any, error){
	"credentials-exchange":   nativeCredentialsExchange,
	"pre-user-registration":  nativePreUserRegistration,
	"post-user-registration": nativePostUserRegistration,
	"post-change-password":   nativePostChangePassword,
	"send-phone-message":     nativeSendPhoneMessage,
	"cpu-heavy":              nativeCPUHeavy,
	"async-timer":            nativeAsyncTimer,
	"fetch":                  nativeFetch,
}

type object = map[string]any

func decode(input []byte) (object, error) {
	var body object
	if err := json.Unmarshal(input, &body); err != nil {
		return nil, err
	}
	return body, nil
}

func obj(o object, key string) object {
	v, _ := o[key].(object)
	return v
}

func str(o object, key string) string {
	v, _ := o[key].(string)
	return v
}

// truthy is JavaScript's ToBoolean for JSON values.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0 && !math.IsNaN(x)
	}
	return true
}

// or is JavaScript's a || b for strings.
func or(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func nativePreUserRegistration(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	user, ctx := obj(body, "user"), obj(body, "context")
	email := strings.ToLower(str(user, "email"))
	_, domain, _ := strings.Cut(email, "@")
	domain, _, _ = strings.Cut(domain, "@")
	var ip any
	if req := obj(ctx, "request"); req != nil {
		ip = req["ip"]
	}
	plan := "free"
	if domain == "acme.example" {
		plan = "enterprise"
	}
	conn := obj(ctx, "connection")
	return object{"user": object{
		"user_metadata": object{
			"language":   or(str(ctx, "renderLanguage"), str(ctx, "requestLanguage"), "en"),
			"newsletter": truthy(obj(user, "user_metadata")["newsletter"]),
			"signup_ip":  ip,
		},
		"app_metadata": object{
			"plan":       plan,
			"tenant":     conn["tenant"],
			"connection": conn["name"],
			"roles":      []string{"user"},
		},
	}}, nil
}

func nativeCredentialsExchange(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	const ns = "https://api.acme.example/"
	client := obj(body, "client")
	scope, _ := body["scope"].([]any)
	scope = slices.Clone(scope)
	if !slices.Contains(scope, any("read:reports")) {
		scope = append(scope, "read:reports")
	}
	plan := or(str(obj(client, "metadata"), "plan"), "free")
	return object{
		"scope":            scope,
		ns + "client_name": client["name"],
		ns + "tenant":      client["tenant"],
		ns + "plan":        plan,
		ns + "audience":    body["audience"],
	}, nil
}

// logLines stands for the console lines the engines keep.
type logLines []string

func (l *logLines) log(parts ...string) {
	if len(*l) < 100 {
		*l = append(*l, strings.Join(parts, " "))
	}
}

func nativePostUserRegistration(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	user, ctx := obj(body, "user"), obj(body, "context")
	var logs logLines
	logs.log("signup", str(user, "id"), str(user, "email"), "via", str(obj(ctx, "connection"), "name"))
	return object{}, nil
}

func nativePostChangePassword(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	user, ctx := obj(body, "user"), obj(body, "context")
	var logs logLines
	logs.log("password changed for " + str(user, "email") + " at " + or(str(user, "last_password_reset"), "unknown") +
		" (" + str(obj(ctx, "connection"), "name") + ")")
	return object{}, nil
}

var smsTemplates = map[string]string{
	"en": "{code} is your {app} verification code.",
	"fr": "{code} est votre code de v\u00e9rification {app}.",
	"es": "{code} es su c\u00f3digo de verificaci\u00f3n de {app}.",
}

func nativeSendPhoneMessage(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	ctx := obj(body, "context")
	if str(ctx, "message_type") == "voice" {
		return nil, fmt.Errorf("voice is not supported")
	}
	lang := or(str(ctx, "language"), "en")
	if len(lang) > 2 {
		lang = lang[:2]
	}
	template, ok := smsTemplates[lang]
	if !ok {
		template = smsTemplates["en"]
	}
	app := "Acme"
	if client := obj(ctx, "client"); client != nil {
		app = str(client, "name")
	}
	text := strings.Replace(strings.Replace(template, "{code}", str(ctx, "code"), 1), "{app}", app, 1)
	units := len(utf16.Encode([]rune(text)))
	return object{
		"to":       body["recipient"],
		"channel":  ctx["message_type"],
		"body":     text,
		"segments": (units + 159) / 160,
	}, nil
}

// rulesDoc is the RULES secret of the cpu-heavy hook.
type rulesDoc struct {
	Version          string   `json:"version"`
	DefaultPlan      string   `json:"defaultPlan"`
	DefaultRoles     []string `json:"defaultRoles"`
	MaxMetadataBytes int      `json:"maxMetadataBytes"`
	Domains          []struct {
		Domain string   `json:"domain"`
		Plan   *string  `json:"plan"`
		Roles  []string `json:"roles"`
	} `json:"domains"`
	Features []struct {
		Name    string   `json:"name"`
		Rollout int      `json:"rollout"`
		Plans   []string `json:"plans"`
	} `json:"features"`
}

func bucketOf(email string) int {
	h := int32(5381)
	for _, u := range utf16.Encode([]rune(email)) {
		h = h<<5 + h + int32(u)
	}
	a := int64(h)
	if a < 0 {
		a = -a
	}
	return int(a % 100)
}

func nativeCPUHeavy(input []byte, secrets map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	var rules rulesDoc
	if err := json.Unmarshal([]byte(secrets["RULES"]), &rules); err != nil {
		return nil, err
	}
	user, ctx := obj(body, "user"), obj(body, "context")
	email := strings.ToLower(str(user, "email"))
	_, domain, _ := strings.Cut(email, "@")
	domain, _, _ = strings.Cut(domain, "@")

	plan := rules.DefaultPlan
	roles := slices.Clone(rules.DefaultRoles)
	var matched []string
	for _, rule := range rules.Domains {
		if domain == rule.Domain || strings.HasSuffix(domain, "."+rule.Domain) {
			matched = append(matched, rule.Domain)
			if rule.Plan != nil && *rule.Plan != "" {
				plan = *rule.Plan
			}
			for _, role := range rule.Roles {
				if !slices.Contains(roles, role) {
					roles = append(roles, role)
				}
			}
		}
	}
	bucket := bucketOf(email)
	features := make(object, len(rules.Features))
	var enabled []string
	for _, f := range rules.Features {
		on := bucket < f.Rollout && (f.Plans == nil || slices.Contains(f.Plans, plan))
		features[f.Name] = on
		if on {
			enabled = append(enabled, f.Name)
		}
	}
	audit := "plan=" + plan + ";bucket=" + strconv.Itoa(bucket) + ";rules=" + strings.Join(matched, ",") +
		";roles=" + strings.Join(roles, ",") + ";features=" + strings.Join(enabled, ",")
	app := object{
		"plan":           plan,
		"roles":          roles,
		"features":       features,
		"rollout_bucket": bucket,
		"rules_version":  rules.Version,
		"audit":          audit,
	}
	size, err := json.Marshal(app)
	if err != nil {
		return nil, err
	}
	if len(size) > rules.MaxMetadataBytes {
		return nil, fmt.Errorf("metadata too large")
	}
	return object{"user": object{
		"app_metadata":  app,
		"user_metadata": object{"language": or(str(ctx, "renderLanguage"), "en")},
	}}, nil
}

func nativeAsyncTimer(input []byte, _ map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	<-time.After(time.Millisecond)
	risk := min(len(utf16.Encode([]rune(str(obj(body, "user"), "email"))))*3, 100)
	return object{"user": object{"app_metadata": object{"risk": risk, "review": risk > 50}}}, nil
}

// nativeFetch is the Go side of the fetch scenario: one GET to the profile
// service through the default client.
func nativeFetch(input []byte, secrets map[string]string) (any, error) {
	body, err := decode(input)
	if err != nil {
		return nil, err
	}
	res, err := http.Get(secrets["PROFILE_API"] + "/risk?email=" + url.QueryEscape(str(obj(body, "user"), "email")))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("profile service answered %d", res.StatusCode)
	}
	var profile object
	if err := json.NewDecoder(res.Body).Decode(&profile); err != nil {
		return nil, err
	}
	return object{"user": object{"app_metadata": object{"risk": profile["risk"], "segment": profile["segment"]}}}, nil
}
