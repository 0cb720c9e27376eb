package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// semver is a parsed version: major.minor.patch with optional pre-release
// identifiers. Build metadata is dropped, as it never affects precedence.
type semver struct {
	major, minor, patch uint64
	pre                 []string
}

// parseVersion parses a full version such as "1.2.3", "v1.2.3" or
// "1.2.3-beta.1+build.5".
func parseVersion(s string) (semver, bool) {
	v, parts, ok := parsePartial(s)
	if !ok || parts != 3 {
		return semver{}, false
	}
	return v, true
}

// parsePartial parses a version that may stop after the major or minor
// number or use x, X or * wildcards ("1", "1.2", "1.x", "*"). parts is how
// many numbers were given before the first wildcard or the end.
func parsePartial(s string) (v semver, parts int, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "=v")
	if s == "" {
		return semver{}, 0, false
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	var pre string
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s, pre = s[:i], s[i+1:]
		if pre == "" {
			return semver{}, 0, false
		}
	}
	fields := strings.Split(s, ".")
	if len(fields) > 3 {
		return semver{}, 0, false
	}
	nums := []*uint64{&v.major, &v.minor, &v.patch}
	wild := false
	for i, f := range fields {
		if f == "x" || f == "X" || f == "*" {
			wild = true
			continue
		}
		if wild || f == "" {
			return semver{}, 0, false
		}
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil || (len(f) > 1 && f[0] == '0') {
			return semver{}, 0, false
		}
		*nums[i] = n
		parts = i + 1
	}
	if pre != "" {
		if parts != 3 {
			return semver{}, 0, false
		}
		for _, id := range strings.Split(pre, ".") {
			if id == "" {
				return semver{}, 0, false
			}
			v.pre = append(v.pre, id)
		}
	}
	return v, parts, true
}

func (v semver) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	if len(v.pre) > 0 {
		s += "-" + strings.Join(v.pre, ".")
	}
	return s
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare orders versions by semver precedence.
func (v semver) compare(w semver) int {
	if c := cmpUint(v.major, w.major); c != 0 {
		return c
	}
	if c := cmpUint(v.minor, w.minor); c != 0 {
		return c
	}
	if c := cmpUint(v.patch, w.patch); c != 0 {
		return c
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		a, b := v.pre[i], w.pre[i]
		an, aerr := strconv.ParseUint(a, 10, 64)
		bn, berr := strconv.ParseUint(b, 10, 64)
		switch {
		case aerr == nil && berr == nil:
			if c := cmpUint(an, bn); c != 0 {
				return c
			}
		case aerr == nil:
			return -1 // numeric identifiers sort before alphanumeric ones
		case berr == nil:
			return 1
		default:
			if c := strings.Compare(a, b); c != 0 {
				return c
			}
		}
	}
	return cmpUint(uint64(len(v.pre)), uint64(len(w.pre)))
}

func (v semver) sameTuple(w semver) bool {
	return v.major == w.major && v.minor == w.minor && v.patch == w.patch
}

// comparator is one bound of a range: op is "<", "<=", ">", ">=" or "=".
type comparator struct {
	op string
	v  semver
}

func (c comparator) test(v semver) bool {
	x := v.compare(c.v)
	switch c.op {
	case "<":
		return x < 0
	case "<=":
		return x <= 0
	case ">":
		return x > 0
	case ">=":
		return x >= 0
	}
	return x == 0
}

// versionRange is a set of comparator sets joined by ||; an empty set
// matches every release version.
type versionRange [][]comparator

// parseRange parses an npm version range: exact versions, partial and
// wildcard versions ("1", "1.2.x", "*"), comparators (">=1.2.0 <2"), tilde
// and caret ranges ("~1.2.3", "^0.4"), hyphen ranges ("1.2 - 2.3.4") and
// alternatives joined by "||". "" and "latest" match any version.
func parseRange(s string) (versionRange, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "latest" {
		return versionRange{nil}, nil
	}
	var r versionRange
	for _, alt := range strings.Split(s, "||") {
		set, err := parseComparatorSet(alt)
		if err != nil {
			return nil, fmt.Errorf("invalid version range %q: %v", s, err)
		}
		r = append(r, set)
	}
	return r, nil
}

func parseComparatorSet(s string) ([]comparator, error) {
	fields := strings.Fields(s)
	// Join an operator written apart from its version: ">= 1.2.3".
	var toks []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Trim(f, "<>=~^") == "" && f != "-" && i+1 < len(fields) {
			f += fields[i+1]
			i++
		}
		toks = append(toks, f)
	}
	if len(toks) == 0 {
		return nil, nil // "||" with nothing on one side matches anything
	}
	if len(toks) == 3 && toks[1] == "-" {
		return hyphenRange(toks[0], toks[2])
	}
	var set []comparator
	for _, t := range toks {
		cs, err := parseComparator(t)
		if err != nil {
			return nil, err
		}
		set = append(set, cs...)
	}
	return set, nil
}

// upper returns the exclusive upper bound "<v-0", which also keeps out the
// pre-releases of v.
func upper(major, minor, patch uint64) comparator {
	return comparator{"<", semver{major: major, minor: minor, patch: patch, pre: []string{"0"}}}
}

func hyphenRange(from, to string) ([]comparator, error) {
	lo, lparts, ok := parsePartial(from)
	if !ok {
		return nil, fmt.Errorf("bad version %q", from)
	}
	hi, hparts, ok := parsePartial(to)
	if !ok {
		return nil, fmt.Errorf("bad version %q", to)
	}
	var set []comparator
	if lparts > 0 {
		set = append(set, comparator{">=", semver{major: lo.major, minor: lo.minor, patch: lo.patch, pre: lo.pre}})
	}
	switch hparts {
	case 0:
	case 1:
		set = append(set, upper(hi.major+1, 0, 0))
	case 2:
		set = append(set, upper(hi.major, hi.minor+1, 0))
	default:
		set = append(set, comparator{"<=", hi})
	}
	return set, nil
}

func parseComparator(t string) ([]comparator, error) {
	op := ""
	for _, p := range []string{">=", "<=", ">", "<", "=", "~>", "~", "^"} {
		if strings.HasPrefix(t, p) {
			op, t = p, t[len(p):]
			break
		}
	}
	v, parts, ok := parsePartial(t)
	if !ok {
		return nil, fmt.Errorf("bad version %q", t)
	}
	M, m, p := v.major, v.minor, v.patch
	switch op {
	case "", "=":
		switch parts {
		case 0:
			return nil, nil
		case 1:
			return []comparator{{">=", semver{major: M}}, upper(M+1, 0, 0)}, nil
		case 2:
			return []comparator{{">=", semver{major: M, minor: m}}, upper(M, m+1, 0)}, nil
		}
		return []comparator{{"=", v}}, nil
	case "~", "~>":
		switch parts {
		case 0:
			return nil, nil
		case 1:
			return []comparator{{">=", semver{major: M}}, upper(M+1, 0, 0)}, nil
		}
		return []comparator{{">=", v}, upper(M, m+1, 0)}, nil
	case "^":
		switch {
		case parts == 0:
			return nil, nil
		case parts == 1:
			return []comparator{{">=", semver{major: M}}, upper(M+1, 0, 0)}, nil
		case parts == 2 && M == 0:
			return []comparator{{">=", semver{minor: m}}, upper(0, m+1, 0)}, nil
		case parts == 2:
			return []comparator{{">=", semver{major: M, minor: m}}, upper(M+1, 0, 0)}, nil
		case M > 0:
			return []comparator{{">=", v}, upper(M+1, 0, 0)}, nil
		case m > 0:
			return []comparator{{">=", v}, upper(0, m+1, 0)}, nil
		}
		return []comparator{{">=", v}, upper(0, 0, p+1)}, nil
	case ">":
		switch parts {
		case 0:
			return []comparator{{"<", semver{pre: []string{"0"}}}}, nil // nothing
		case 1:
			return []comparator{{">=", semver{major: M + 1}}}, nil
		case 2:
			return []comparator{{">=", semver{major: M, minor: m + 1}}}, nil
		}
		return []comparator{{">", v}}, nil
	case ">=":
		if parts == 0 {
			return nil, nil
		}
		return []comparator{{">=", v}}, nil
	case "<":
		switch parts {
		case 0:
			return []comparator{{"<", semver{pre: []string{"0"}}}}, nil
		case 1:
			return []comparator{upper(M, 0, 0)}, nil
		case 2:
			return []comparator{upper(M, m, 0)}, nil
		}
		return []comparator{{"<", v}}, nil
	case "<=":
		switch parts {
		case 0:
			return nil, nil
		case 1:
			return []comparator{upper(M+1, 0, 0)}, nil
		case 2:
			return []comparator{upper(M, m+1, 0)}, nil
		}
		return []comparator{{"<=", v}}, nil
	}
	return nil, fmt.Errorf("bad comparator %q", t)
}

// matches reports whether v is in the range. As in npm, a pre-release
// version matches only a set that names a pre-release of the same
// major.minor.patch.
func (r versionRange) matches(v semver) bool {
	for _, set := range r {
		if setMatches(set, v) {
			return true
		}
	}
	return false
}

func setMatches(set []comparator, v semver) bool {
	for _, c := range set {
		if !c.test(v) {
			return false
		}
	}
	if len(v.pre) == 0 {
		return true
	}
	for _, c := range set {
		if len(c.v.pre) > 0 && c.v.sameTuple(v) && !(c.op == "<" && len(c.v.pre) == 1 && c.v.pre[0] == "0") {
			return true
		}
	}
	return false
}

// VersionMatches reports whether version (such as "4.17.21") satisfies
// spec, an npm version or range such as "4.17.21", "^4.17.0", "4.x",
// ">=1.2 <2" or "1.x || 2.x"; "", "*" and "latest" accept any release. It
// returns an error when spec or version cannot be parsed.
func VersionMatches(version, spec string) (bool, error) {
	v, ok := parseVersion(version)
	if !ok {
		return false, fmt.Errorf("invalid version %q", version)
	}
	r, err := parseRange(spec)
	if err != nil {
		return false, err
	}
	return r.matches(v), nil
}
