package engine

import "sync"

// drivers keeps goroutines that drive runs, parked between runs. A run's
// script is driven on a goroutine other than the caller's, so that Run can
// return at its limit even while the script is stuck in a native call (see
// execution.run); handing the run to a parked goroutine whose stack has
// already grown to what a script needs costs much less than starting a new
// goroutine for every run. It is safe for concurrent use.
type drivers struct {
	mu     sync.Mutex
	idle   []chan func()
	max    int
	closed bool
}

// run runs job on a driver goroutine.
func (d *drivers) run(job func()) {
	d.mu.Lock()
	if n := len(d.idle); n > 0 {
		jobs := d.idle[n-1]
		d.idle = d.idle[:n-1]
		d.mu.Unlock()
		jobs <- job
		return
	}
	d.mu.Unlock()
	jobs := make(chan func())
	go d.loop(jobs)
	jobs <- job
}

// loop runs jobs until the driver is no longer wanted: the idle list is
// full or closed. A driver whose job never returns (a script stuck in a
// native call) simply never comes back.
func (d *drivers) loop(jobs chan func()) {
	for job := range jobs {
		job()
		d.mu.Lock()
		if d.closed || len(d.idle) >= d.max {
			d.mu.Unlock()
			return
		}
		d.idle = append(d.idle, jobs)
		d.mu.Unlock()
	}
}

// close ends the idle drivers, and the others as they finish their jobs.
func (d *drivers) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for _, jobs := range d.idle {
		close(jobs)
	}
	d.idle = nil
}
