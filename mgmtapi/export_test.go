package mgmtapi

import (
	"context"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
)

// NewHandlerForTest is NewHandler with run in place of a runner's Run.
func NewHandlerForTest(s store.Store, run func(context.Context, *store.Hook, any) (*engine.Result, error), opts ...Option) *Handler {
	h := NewHandler(s, opts...)
	h.runFunc = run
	if h.runner == nil {
		h.runner = runner.New(s, nil) // routes the run endpoints; never called
	}
	return h
}
