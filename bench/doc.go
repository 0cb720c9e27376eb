// Package bench measures hookengine against the engines an embedder would
// pick instead to run Auth0 hook scripts: goja used directly (three ways),
// otto, a native Go function doing the same work, and, through the Node
// harness in node/, Node's vm module and isolated-vm.
//
// Each scenario is one Benchmark with one sub-benchmark per contender, and
// each contender lives in its own file. The hook scripts and their inputs are
// in testdata/. cmd/benchtable runs every contender in one invocation and
// prints the comparison table; README.md has the commands and the results.
//
// The module is separate from hookengine's so that the peer engines never
// enter hookengine's go.sum.
package bench
