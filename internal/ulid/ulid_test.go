package ulid

import (
	"sort"
	"testing"
	"time"
)

func TestGeneratorSortsAndIsValid(t *testing.T) {
	var g Generator
	start := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		desc string
		at   []time.Time
	}{
		{"same millisecond", []time.Time{start, start, start, start}},
		{"later milliseconds", []time.Time{start.Add(time.Millisecond), start.Add(2 * time.Millisecond)}},
		{"clock going back", []time.Time{start.Add(10 * time.Millisecond), start}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var ids []string
			for _, at := range tt.at {
				id := g.New(at)
				if !Valid(id) {
					t.Fatalf("id %q is not valid", id)
				}
				ids = append(ids, id)
			}
			if !sort.StringsAreSorted(ids) {
				t.Errorf("ids not in creation order: %v", ids)
			}
		})
	}
}

func TestTimePrefix(t *testing.T) {
	var g Generator
	// An id from an Auth0 recording, 01GBPZWEFDT9RFR6PN6939RZZE, was made at
	// 2022-08-30 09:03:57.421 UTC.
	id := g.New(time.UnixMilli(1661850237421))
	if got, want := id[:10], "01GBPZWEFD"; got != want {
		t.Errorf("time prefix = %s, want %s", got, want)
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"01GBPZWEFDT9RFR6PN6939RZZE", true},
		{"01GBPZWEFDT9RFR6PN6939RZZ", false},
		{"01GBPZWEFDT9RFR6PN6939RZZI", false},
		{"81GBPZWEFDT9RFR6PN6939RZZE", false},
		{"01gbpzwefdt9rfr6pn6939rzze", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.in); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
