// Package hookbench measures what a hook script costs, the way Go
// benchmarks and hyperfine measure programs: the logic behind
// "hooks bench".
//
// Run takes one or more cases (a script on an input) and measures each on
// an engine of its own: warm-up runs first, not counted; then warm runs in
// rounds, the cases interleaved round by round so that a change in the
// machine's load falls on all of them alike, with Concurrency runs in
// flight; then cold runs, each the first run of the hook on a new engine (a
// fresh compile and a new runtime); then the memory a warm hook keeps. The
// Report gives, per case, the wall time of the warm runs (mean ± standard
// deviation, median, p90, p99, min, max), their CPU time and its share of
// the CPU limit, heap allocations per run, the retained memory, the cold
// runs, the throughput, how runs ended (success, callback_error, thrown,
// cpu_time_exceeded...), the outliers (counted, never dropped) and what
// fetch cost; and it compares every case with the first the way benchstat
// does, with golang.org/x/perf/benchmath (medians, Mann-Whitney U test).
//
// Stubs answer the hooks' fetch requests locally, with the headers a file
// gives (rate-limit headers included, which fetch's throttle obeys), so that
// a benchmark never calls the real API; fetch waits are reported apart from
// the script's own time.
//
// A Report is written as a table, as JSON, or as Go benchmark lines that
// benchstat reads (WriteGobench): one line per round, named after the case,
// so that the same hook file measured from two folders compares as old and
// new.
//
// Measurements are of the process Run is called in: run one benchmark at a
// time, on an otherwise quiet machine, for figures worth comparing.
package hookbench
