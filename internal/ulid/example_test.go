package ulid_test

import (
	"fmt"
	"time"

	"github.com/hookengine/hookengine/internal/ulid"
)

// Ids made in the same millisecond still sort in the order they were made;
// the first ten characters encode the time.
func ExampleGenerator() {
	var g ulid.Generator
	t := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	a, b := g.New(t), g.New(t)
	fmt.Println(len(a), ulid.Valid(a), a[:10], a < b)
	fmt.Println(ulid.Valid("not-an-id"))
	// Output:
	// 26 true 01M8BAETC0 true
	// false
}
