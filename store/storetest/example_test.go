package storetest_test

import (
	"testing"

	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/store/storetest"
)

// A store's test runs the suite with a function that opens a new, empty
// store for each subtest.
func ExampleRun() {
	_ = func(t *testing.T) {
		storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
	}
}
