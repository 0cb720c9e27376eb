package leaktest_test

import (
	"fmt"

	"github.com/dlclark/regexp2/v2"
	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

// A match with a timeout starts regexp2's clock goroutine, which outlives
// the match for a while; with the options, goleak does not count it. Test
// packages pass the options in TestMain:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }
func ExampleOptions() {
	before := goleak.IgnoreCurrent()
	re := regexp2.MustCompile(`(a+)+(?=b)`, regexp2.None)
	re.MatchTimeout = 100e6 // 100ms
	ok, err := re.MatchString("aaab")
	fmt.Println(ok, err)
	fmt.Println(goleak.Find(append(leaktest.Options(), before)...))
	// Output:
	// true <nil>
	// <nil>
}
