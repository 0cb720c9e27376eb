package main

import (
	"fmt"
	"os"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/server"
)

// Isolation modes of --isolation and the serve configuration's isolation
// key.
const (
	isolationInProcess = "in-process"
	isolationProcess   = "process"
)

// isolationFlag is --isolation: in-process (the default) or process.
type isolationFlag string

func (f *isolationFlag) String() string { return string(*f) }

func (f *isolationFlag) Set(s string) error {
	switch s {
	case isolationInProcess, isolationProcess:
		*f = isolationFlag(s)
		return nil
	}
	return fmt.Errorf("must be %s or %s", isolationInProcess, isolationProcess)
}

// envWorkerModules passes the --modules directory of hooks run and hooks
// serve to their worker processes, which open it themselves: an fs.FS does
// not cross a pipe.
const envWorkerModules = server.WorkerModulesEnv

// workerOptions are the options of a worker process's engine that the
// parent cannot send: the node_modules directory of --modules.
func workerOptions() []engine.Option {
	dir := os.Getenv(envWorkerModules)
	if dir == "" {
		return nil
	}
	root, err := server.OpenNodeModules(dir)
	if err != nil {
		// The parent opened it a moment ago; say why the worker cannot.
		fmt.Fprintf(os.Stderr, "hooks worker: --modules: %v\n", err)
		os.Exit(exitFailure)
	}
	// Open for the worker's life.
	return []engine.Option{engine.WithNodeModules(root.FS())}
}
