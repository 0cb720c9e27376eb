package engine

// WithTestCrashHook makes workers crash (a Go panic on a goroutine of their
// own) when asked to run a hook named name. For tests only: it is not part
// of the package's API, and scripts cannot reach it.
func WithTestCrashHook(name string) Option {
	return optionFunc(func(c *config) error {
		c.testCrashHook = name
		return nil
	})
}
