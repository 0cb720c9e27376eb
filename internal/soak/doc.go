// Package soak runs hookengine under load for a bounded time and checks
// that every result belongs to its own run.
//
// Workers (twice GOMAXPROCS by default) run hooks one after the other on
// one engine, each run picking a hook from a weighted mix: mostly the
// normal hooks of testdata/soak (pre-user-registration metadata, a denial,
// credentials-exchange claims, an async hook on timers and promises, an SMS
// provider, work left running after the callback, a RunAsync audit hook),
// and a minority of hostile ones, from testdata/hostile (busy loops, memory
// bombs, recursion, hooks that never call back, ReDoS, thrown values,
// tampering with built-ins) and testdata/soak/tamper-echo.js, under short
// limits so that they end fast.
//
// Each normal run's input carries a unique token ("t3x1024": worker 3, run
// 1024) in the place a real hook reads — an email address, a client name, a
// username, an SMS text — and the hook echoes it into its result: metadata,
// a namespaced claim, the provider's answer, a denial's message, a console
// line. The soak computes each run's whole expected result from its input
// and compares; a result carrying another run's token is crossed. Runs of
// the hostile corpus must end with their expected error class, and every
// error must come with the error envelope that describes it. Every run
// started must return exactly once; console lines written after the
// callback, or by RunAsync runs, must arrive exactly once, with the
// execution id of their run.
//
// A hostile run that ends at the memory limit although its script does not
// grow the heap (a busy loop, ReDoS) is counted apart, not as a failure:
// the engine watches the process's live heap, and documents that growth by
// other goroutines counts too, so a run beside memory bombs may be charged
// for theirs. A normal run that ends at any limit is a failure.
//
// Around the load it measures goroutines and the live heap (after a forced
// collection): at a baseline taken after a first engine ran every hook once
// and was closed, after the load, and after the soak's engine is closed,
// when both must be back to the baseline.
//
// The package is internal: it reads the repository's testdata and backs
// "hooks soak" and TestSoakShort.
package soak
