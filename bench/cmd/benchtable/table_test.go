package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkWarmPreUserRegistration/hookengine-2         	   10000	     20000 ns/op	   25712 B/op	     552 allocs/op
BenchmarkWarmPreUserRegistration/goja-compile-per-call-2	    3831	    200000 ns/op	  104096 B/op	    1565 allocs/op	    150000 cpu-ns/op
BenchmarkWarmPreUserRegistration/hookengine-worker-2  	    5000	    120000 ns/op	    6900 B/op	      41 allocs/op
BenchmarkWarmPreUserRegistration/native-go-2          	   50516	      5000 ns/op	    6136 B/op	     108 allocs/op
BenchmarkParallelPreUserRegistration/hookengine-2     	   20000	     10000 ns/op	   25712 B/op	     552 allocs/op	   20000 cpu-ns/op
BenchmarkOneCorePreUserRegistration/hookengine-2      	   20000	     18000 ns/op	   25712 B/op	     552 allocs/op	   18000 cpu-ns/op
BenchmarkCPULimitLatency/hookengine-2                 	     100	 101000000 ns/op	       100.5 p50-ms	       108.0 p99-ms	       120.0 max-ms
BenchmarkRetainedMemory/hookengine-2                  	       1	 5000000 ns/op	    300000 retained-B/hook
BenchmarkWarmPreUserRegistration/node-vm-reused	    100000	        4000.0 ns/op
BenchmarkWarmCredentialsExchange/hookengine-2         	   10000	     15000 ns/op
BenchmarkWarmCredentialsExchange/native-go-2          	   10000	      5000 ns/op
BenchmarkColdPreUserRegistration/hookengine-2         	    2000	    150000 ns/op	  180000 cpu-ns/op
BenchmarkColdPreUserRegistration/goja-compile-per-call-2	    2000	    120000 ns/op	  200000 cpu-ns/op
BenchmarkColdPreUserRegistration/hookengine-spares-2  	    2000	    114000 ns/op	  220000 cpu-ns/op
PASS
`

func TestParseAndRender(t *testing.T) {
	rs := parse(strings.NewReader(sample))
	r := rs.get("WarmPreUserRegistration", "goja-compile-per-call")
	if v, _ := r.get("allocs/op"); v != 1565 || r.procs != 2 {
		t.Fatalf("parsed %+v", r)
	}
	if v, _ := rs.get("CPULimitLatency", "hookengine").get("p99-ms"); v != 108 {
		t.Fatalf("p99 = %v", v)
	}
	if rs.get("WarmPreUserRegistration", "node-vm-reused") == nil {
		t.Fatal("the Node line (no procs suffix) was not parsed")
	}
	out := render(machine{cpu: "test", cores: 2}, rs)
	for _, want := range []string{
		"| WarmPreUserRegistration | goja-compile-per-call | 200.0 µs | 150.0 µs | 1565 | 104096 | 10.00× |",
		"| WarmPreUserRegistration | native-go | 5.0 µs | — | 108 | 6136 | 0.25× |",
		"| hookengine | 20.0 µs | 18.0 µs | 10.0 µs (2 goroutines) | 1.80× | 18.0 µs → 20.0 µs |",
		"| parallel throughput on all cores ≥ 1.7× one core | 1.80× | met |",
		"| WarmPreUserRegistration | hookengine | 20.0 µs | 120.0 µs | +100.0 µs | 6.00× |",
		"| warm pre-user-registration ≥ 8× faster than goja new-runtime-per-call | 10.00× faster | met |",
		"| warm pre-user-registration ≤ 3× the native Go floor | 4.00× | **missed**, by 1.33× |",
		"| warm pre-user-registration ≤ 1.5× Node vm, reused context without limits | 5.00× | **missed**, by 3.33× |",
		"| endless loop under a 100 ms limit returns within 110 ms at p99 (100 runs) | 108.0 ms | met |",
		"| a warm cached hook with its runtime retains ≤ 256 KiB | 293.0 KiB | **missed**, by 1.14× |",
		"| CPU-heavy hook within 10 % of raw goja, reused runtime | not measured | — |",
		"| every warm scenario ≤ 2× the native Go floor (the worst one) | 4.00× | **missed**, by 2.00× |",
		"| a never-seen script's first run ≤ 1× goja compile-per-call, time | 1.25× | **missed**, by 1.25× |",
		"| a never-seen script's first run ≤ 3× goja compile-per-call, CPU | 0.90× | met |",
		"| a never-seen script's first run ≤ 1× goja compile-per-call, time, with two spare runtimes | 0.95× | met |",
		"| a never-seen script's first run ≤ 3× goja compile-per-call, CPU, with two spare runtimes (their set-up included) | 1.10× | met |",
		"| a warm cached hook with its runtime retains ≤ 128 KiB | 293.0 KiB | **missed**, by 2.29× |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}
