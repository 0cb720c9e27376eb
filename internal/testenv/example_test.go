package testenv_test

import (
	"fmt"
	"strings"

	"github.com/hookengine/hookengine/internal/testenv"
)

// Each test names its schema or key prefix with Name, so that tests
// sharing a server never meet.
func ExampleName() {
	a, b := testenv.Name("hookengine_test"), testenv.Name("hookengine_test")
	fmt.Println(strings.HasPrefix(a, "hookengine_test_"), len(a), a != b)
	// Output: true 32 true
}
