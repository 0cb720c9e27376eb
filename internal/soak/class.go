package soak

import (
	"context"
	"errors"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/triggers"
)

// class is how a run ended: through its callback (with a value or an
// error), or with one of the engine's errors.
type class int

const (
	classOK            class = iota // called back with a value
	classCallbackError              // called back with an error (a denial, ...)
	classCPU
	classWall
	classMemory
	classStack
	classThrown
	classNoCallback
	classCompile
	classInput
	classNoFunction
	classClosed
	classCancelled
	classInternal
	classOther
	numClasses
)

// classNames are the names in the report; those of the engine's errors are
// the codes of their envelopes.
var classNames = [numClasses]string{
	classOK:            "ok",
	classCallbackError: "callback_error",
	classCPU:           "cpu_time_exceeded",
	classWall:          "wall_time_exceeded",
	classMemory:        "memory_exceeded",
	classStack:         "stack_depth_exceeded",
	classThrown:        "thrown",
	classNoCallback:    "no_callback",
	classCompile:       "compile_error",
	classInput:         "invalid_input",
	classNoFunction:    "no_hook_function",
	classClosed:        "engine_closed",
	classCancelled:     "cancelled",
	classInternal:      "internal_error",
	classOther:         "other",
}

func (c class) String() string { return classNames[c] }

// sentinels map the engine's errors to classes, in the order they are
// tested.
var sentinels = []struct {
	err error
	c   class
}{
	{engine.ErrCPUTimeExceeded, classCPU},
	{engine.ErrWallTimeExceeded, classWall},
	{engine.ErrMemoryExceeded, classMemory},
	{engine.ErrStackDepthExceeded, classStack},
	{engine.ErrThrown, classThrown},
	{engine.ErrNoCallback, classNoCallback},
	{engine.ErrCompile, classCompile},
	{engine.ErrInvalidInput, classInput},
	{engine.ErrNoHookFunction, classNoFunction},
	{engine.ErrClosed, classClosed},
	{context.Canceled, classCancelled},
	{context.DeadlineExceeded, classCancelled},
	{engine.ErrInternal, classInternal},
}

// classify names how a run ended.
func classify(res *engine.Result, err error) class {
	if err == nil {
		if res != nil && !res.Envelope.Succeeded() {
			return classCallbackError
		}
		return classOK
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.c
		}
	}
	return classOther
}

// envelopeCode is the code the error envelope of a run that ended with an
// engine error must carry; "" when the class has none.
func envelopeCode(c class) string {
	switch c {
	case classOK, classCallbackError, classThrown, classOther:
		return ""
	}
	return c.String()
}

// consistent checks that a result agrees with the error its run returned:
// an error envelope describing that error, the hook's trigger, an outcome
// of the trigger.
func consistent(res *engine.Result, err error, c class, trigger triggers.ID) error {
	if res == nil {
		return errors.New("no result")
	}
	if res.Trigger != trigger || res.Outcome() == nil || res.Outcome().Trigger() != trigger {
		return errors.New("result of trigger " + string(res.Trigger) + ", want " + string(trigger))
	}
	if res.ExecutionID == "" {
		return errors.New("result without an execution id")
	}
	if err == nil {
		return nil
	}
	if res.Envelope.Succeeded() {
		return errors.New("success envelope for a run that failed: " + err.Error())
	}
	if code := envelopeCode(c); code != "" {
		f := triggers.ParseFailure(res.Envelope)
		if f == nil || f.Code != code {
			return errors.New("error envelope " + string(res.Envelope.Data) + " for " + err.Error())
		}
	}
	return nil
}
