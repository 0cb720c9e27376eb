// Package sandbox is the low-level runtime layer of the hook engine. It runs
// untrusted JavaScript (Auth0-style hook scripts) in a goja virtual machine
// with a Node-like set of globals, an event loop of its own and hard limits
// on wall time, CPU time and call-stack depth. Package engine builds hook
// execution on top of it; sandbox knows nothing about hooks or triggers.
//
// # Executions and turns
//
// New builds a Runtime: one VM with the globals installed. A runtime serves
// executions one after another. Begin starts an execution with its Limits,
// the caller's context and a Host, which receives console output and the
// errors of asynchronous callbacks. End finishes the execution, drops
// whatever it left scheduled and reports its Usage. Globals, loaded modules
// and anything a script stored on them survive from one execution to the
// next, so a runtime should only serve scripts that may see each other's
// state.
//
// Inside an execution, JavaScript runs in turns. Do runs one turn: the
// function it is given calls into the VM (runs a compiled script, calls a
// function, resolves a promise), and the microtasks this queues run before
// the turn ends. Every timer, immediate and completion the event loop runs is
// a turn of its own.
//
// An exception nothing caught is returned by Do as a *goja.Exception, and the
// execution goes on. In a turn run by the event loop it goes to
// Host.Uncaught instead. A promise rejected with no handler at the end of a
// turn goes to Host.Unhandled. This includes exceptions thrown by
// queueMicrotask and process.nextTick callbacks, since they run as promise
// reactions.
//
// # The event loop
//
// Wait drives the event loop until a condition holds. It returns ErrIdle if
// nothing is left to run. Each pass of the loop runs, in Node's order:
//
//  1. the timers that are due, earliest deadline first, in the order they
//     were set when deadlines are equal;
//  2. the completions of asynchronous operations (see below);
//  3. the immediates queued before the pass started.
//
// Microtasks run after each callback. process.nextTick callbacks are
// microtasks too: they run in the order they were queued, mixed with promise
// reactions. In Node they would run before any promise reaction. Timer
// objects behave like Node's Timeout (ref, unref, hasRef, refresh, close and
// conversion to a numeric id). An unref'd timer does not keep the execution
// alive. A delay below 1 ms, one that is not a number, or one beyond Node's
// maximum becomes 1 ms.
//
// A host function that does work off the driving goroutine (a network call,
// say) calls Pending on the driving goroutine. The execution stays alive until
// the returned function is called, from any goroutine, with the work to run
// on the loop once the operation is done (typically resolving a promise).
// Completions that arrive after the execution ended are refused.
//
// All time comes from the Config's Clock: Date, timers, console.time,
// process.hrtime and the wall-time limit. Tests can run timers on a virtual
// clock (see package enginetest) without sleeping.
//
// # Limits
//
// An execution ends early when it exceeds one of its Limits, when its
// context is done (unless Detach was called), when the Config's Stop channel
// is closed, or when Runtime.Stop is called. Do and Wait then return the
// reason:
//
//   - a *LimitError that wraps ErrWallTimeExceeded, ErrCPUTimeExceeded,
//     ErrStackDepthExceeded or ErrMemoryExceeded;
//   - a *CanceledError that unwraps to the context's error;
//   - ErrStopped.
//
// From then on, every Do and Wait returns the same error. A runtime whose
// execution ended early, or in which Go code panicked, is no longer Reusable:
// a script may have been stopped halfway through changing its state.
//
// How exact each limit is:
//
//   - StackDepth is exact. goja counts call frames, and a script cannot catch
//     the overflow.
//
//   - WallTime runs on the Clock from Begin to End, waits included. A clock
//     timer ends the execution when it fires, interrupting a running script.
//
//   - CPUTime is charged exactly and enforced approximately. On Linux each
//     turn is charged the CPU time its thread used, read from the thread's
//     clock when the turn starts and ends (a turn shorter than 100µs is
//     charged its real duration); time the process spends descheduled or
//     stopped is not charged. A watchdog reads the clock
//     every millisecond while a turn runs, so a busy script overshoots its
//     budget by about a millisecond plus however late the watchdog gets
//     scheduled. Waiting on timers or operations costs nothing, while Go
//     code that host functions run during a turn is charged. On other
//     systems, each turn is charged at wall-clock time.
//
//   - A cancelled context or a closed Stop channel is noticed at the start of
//     every turn, at once while Wait is waiting, and by the watchdog within
//     about a millisecond while a turn runs.
//
//   - Memory is exact for single allocations by built-ins and approximate for
//     what an execution accumulates; Limits.Memory says how.
//
// Go code cannot be interrupted. A limit that passes while a host function
// runs takes effect when the function returns to JavaScript. That is why the
// built-ins a script could turn into a long native loop or a huge allocation
// are bounded before they run: arrays longer than MaxArrayLength, argument
// lists longer than MaxArguments, data nested deeper than MaxNesting, more
// than MaxTimers timers, and backtracking matches longer than RegexpTimeout
// are refused with a RangeError. Inside goja (a patched copy, see
// third_party/goja/PATCHES.md), every operator and built-in checks the
// string, BigInt or list it is about to make against limits derived from
// Limits.Memory (MaxStringLength, MaxBigIntBits, MaxArrayLength) and the
// length it actually uses, so a lying length getter gains nothing; going
// over ends the execution with ErrMemoryExceeded. Long built-in loops (sorts,
// iteration, normalization) also stop when the execution is interrupted.
//
// # Modules and what is never exposed
//
// require loads only what the Config's Registry holds. By default that is
// the built-in buffer, url and util modules, plus whatever Registry.Register
// adds. A "node:" prefix and a "name@version" pin resolve to the bare name
// (see ParseModuleName). A runtime loads each module once and caches its
// exports.
//
// Everything else throws an Error with code MODULE_NOT_FOUND. That includes
// fs, child_process, os, process, and relative or absolute paths: require
// reads no file but those of the node_modules directory a Registry may be
// given (an fs.FS, read-only, nothing outside it). The process global is a sandboxed object. Its
// env is an empty object that never reflects the host's environment, and it
// has no exit, kill or binding. Buffer, URL and URLSearchParams are globals
// loaded on first use.
//
// The runtime keeps its own copies of JSON.stringify, JSON.parse,
// Promise.prototype.then, Object.getOwnPropertyDescriptor and the Error
// constructor (see Stringify, ParseJSON, Then and NewError), so a script that
// replaces them cannot subvert what the host does with its values. Format and
// Inspect render values on a single line, as Node's util.format and
// util.inspect do. They show accessor properties as [Getter] and [Setter]
// instead of calling them. Unlike Node, Inspect writes a top-level string
// without quotes.
//
// # Concurrency
//
// A Runtime is driven by one goroutine at a time. Begin, Do, Wait, End, the
// other methods and any use of the goja VM all belong to that goroutine, and
// Host methods are called on it. Different runtimes may run in parallel.
// Only the functions returned by Pending, and Runtime.Stop, are safe to call
// from other goroutines. Once built, a Config or a Registry can be shared by
// any number of runtimes.
package sandbox
