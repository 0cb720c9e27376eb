package leaktest

import "go.uber.org/goleak"

// Options are goleak's options for hookengine's tests. They ignore the
// clock goroutine regexp2 (goja's backtracking regular-expression engine)
// starts while a match with a timeout runs, which ends on its own shortly
// after the last match.
func Options() []goleak.Option {
	return []goleak.Option{goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock")}
}
