package metrics_test

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/metrics"
)

// An embedder wires the Collector to its engine and registers it with its
// own registry (or prometheus.DefaultRegisterer).
func ExampleNewCollector() {
	c := metrics.NewCollector()
	fo := engine.FetchOptions{}
	fo.Observer = c.ObserveFetch
	e, err := engine.New(engine.WithObserver(c), engine.WithFetch(fo))
	if err != nil {
		panic(err)
	}
	defer e.Close()
	c.SetEngine(e)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == "hookengine_cached_programs" {
			fmt.Println(f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
		}
	}
	// Output: hookengine_cached_programs 0
}
